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
}
