using k8s.Models;
using Lamina.Operator.Api;
using Lamina.Operator.Reconciliation;
using Lamina.Testing;

namespace Lamina.Operator.Tests.Reconciliation;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class SpecValidatorTests
{
    public static TheoryData<string, Function, string> Invalid => new()
    {
        {
            "provisioned over reserved",
            Functions.Valid(change: s => s.Concurrency = new FunctionConcurrency { Reserved = 2, Provisioned = 3 }),
            "spec.concurrency.provisioned (3) exceeds spec.concurrency.reserved (2)"
        },
        {
            "Lambda's reserved variable",
            Functions.Valid(change: s => s.Env = [new V1EnvVar { Name = "AWS_LAMBDA_RUNTIME_API", Value = "x" }]),
            "spec.env[0].name: AWS_LAMBDA_RUNTIME_API is reserved"
        },
        {
            "the shim's prefix",
            Functions.Valid(change: s => s.Env = [new V1EnvVar { Name = "A", Value = "1" }, new V1EnvVar { Name = "LAMINA_DEBUG", Value = "1" }]),
            "spec.env[1].name: LAMINA_DEBUG is reserved"
        },
        {
            "a variable twice",
            Functions.Valid(change: s => s.Env = [new V1EnvVar { Name = "A", Value = "1" }, new V1EnvVar { Name = "A", Value = "2" }]),
            "spec.env[1].name: A is set more than once"
        },
        {
            "over 4 KB of environment",
            Functions.Valid(change: s => s.Env = [new V1EnvVar { Name = "BIG", Value = new string('x', 4094) }]),
            "spec.env: names and values total 4097 bytes; Lambda allows 4096"
        },
        {
            "unknown destination",
            Functions.Valid(change: s => s.Async = new FunctionAsync { OnFailure = new FunctionDestination { Function = "missing" } }),
            "spec.async.onFailure.function: no function \"missing\" in namespace team-a"
        },
        {
            "a dot in the name",
            Functions.Valid(name: "my.fn"),
            "metadata.name \"my.fn\" must be a DNS label"
        },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_InvalidSpec_ProblemNamesField(string scenario, Function function, string expected)
    {
        var problems = SpecValidator.Validate(function, name => name == "exists");

        Assert.True(problems.Any(p => p.Message.StartsWith(expected, StringComparison.Ordinal)),
            $"{scenario}: expected a problem starting with \"{expected}\", got: {string.Join(" | ", problems.Select(p => p.Message))}");
    }

    [Fact]
    public void Validate_ValidSpecWithEverything_NoProblems()
    {
        var function = Functions.Valid(change: s =>
        {
            s.Concurrency = new FunctionConcurrency { Reserved = 5, Provisioned = 5 };
            s.Env = [new V1EnvVar { Name = "GREETING", Value = "hi" }, new V1EnvVar { Name = "FROM_SECRET", ValueFrom = new V1EnvVarSource() }];
            s.Async = new FunctionAsync { OnSuccess = new FunctionDestination { Function = "exists" } };
        });

        Assert.Empty(SpecValidator.Validate(function, name => name == "exists"));
    }

    public static TheoryData<string, Function, string, string> InvalidSource => new()
    {
        {
            "image and code",
            Functions.Zip(change: s => s.Image = "docker.io/lamina/example-node:dev"),
            "InvalidSpec", "spec.image and spec.code are both set"
        },
        {
            "neither image nor code",
            Functions.Valid(change: s => s.Image = null),
            "InvalidSpec", "spec.image or spec.code is required"
        },
        {
            "a runtime with an image",
            Functions.Valid(change: s => s.Runtime = "python3.11"),
            "InvalidSpec", "spec.runtime (python3.11) applies to spec.code only"
        },
        {
            "layers with an image",
            Functions.Valid(change: s => s.Layers = [Layer('1')]),
            "InvalidSpec", "spec.layers apply to spec.code only"
        },
        {
            "code without a runtime",
            Functions.Zip(change: s => s.Runtime = null),
            "RuntimeRequired", "spec.runtime is required with spec.code; this installation has: nodejs22.x, provided.al2, provided.al2023, python3.11"
        },
        {
            "a runtime the installation lacks",
            Functions.Zip(change: s => s.Runtime = "java21"),
            "UnsupportedRuntime", "spec.runtime: java21 is not a runtime of this installation; it has: nodejs22.x, provided.al2, provided.al2023, python3.11"
        },
        {
            "node without a handler",
            Functions.Zip(change: s => s.Handler = null),
            "HandlerRequired", "spec.handler is required by the nodejs22.x runtime"
        },
        {
            "six layers",
            Functions.Zip(change: s => s.Layers = [Layer('1'), Layer('2'), Layer('3'), Layer('4'), Layer('5'), Layer('6')]),
            "InvalidSpec", "spec.layers: 6 layers; Lambda allows 5"
        },
        {
            "zip and configMap",
            Functions.Zip(change: s => s.Code!.ConfigMap = new FunctionCodeConfigMap { Name = "code", Key = "function.zip" }),
            "InvalidCode", "spec.code needs exactly one of zip (in the code store) and configMap"
        },
    };

    [Theory]
    [MemberData(nameof(InvalidSource))]
    public void Validate_InvalidCodeSource_ReasonAndMessage(string scenario, Function function, string reason, string expected)
    {
        var problems = SpecValidator.Validate(function, _ => false, Functions.CodeDefaults.Runtimes);

        Assert.True(problems.Any(p => p.Reason == reason && p.Message.StartsWith(expected, StringComparison.Ordinal)),
            $"{scenario}: expected {reason}: \"{expected}…\", got: {string.Join(" | ", problems.Select(p => $"{p.Reason}: {p.Message}"))}");
    }

    [Theory]
    [InlineData("nodejs22.x", "index.handler")]
    [InlineData("python3.11", "app.handler")]
    [InlineData("provided.al2023", null)]
    [InlineData("provided.al2", null)]
    public void Validate_ZipOnEachRuntime_NoProblems(string runtime, string? handler)
    {
        var function = Functions.Zip(change: s =>
        {
            s.Runtime = runtime;
            s.Handler = handler;
            s.Layers = [Layer('1'), Layer('2'), Layer('3'), Layer('4'), Layer('5')];
        });

        Assert.Empty(SpecValidator.Validate(function, _ => false, Functions.CodeDefaults.Runtimes));
    }

    [Fact]
    public void Validate_NoRuntimesInstalled_UnsupportedSaysNone()
    {
        var problem = Assert.Single(SpecValidator.Validate(Functions.Zip(), _ => false));

        Assert.Equal(("UnsupportedRuntime", "spec.runtime: nodejs22.x is not a runtime of this installation; it has: none (an administrator adds runtimes in the chart's operator.runtimes)"),
            (problem.Reason, problem.Message));
    }

    private static FunctionLayer Layer(char digit) => new() { Sha256 = new string(digit, 64), Size = 100 };
}
