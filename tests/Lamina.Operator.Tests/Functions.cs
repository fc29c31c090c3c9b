using k8s.Models;
using Lamina.Operator.Api;
using Lamina.Operator.Reconciliation;

namespace Lamina.Operator.Tests;

/// <summary>Functions for tests: a valid one to start from, changed per test.</summary>
internal static class Functions
{
    public static Function Valid(string name = "hello", string ns = "team-a", Action<FunctionSpec>? change = null)
    {
        var function = new Function
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Uid = $"uid-{name}", Generation = 1 },
            Spec = new FunctionSpec { Image = "docker.io/lamina/example-node:dev", Handler = "index.handler" },
        };
        change?.Invoke(function.Spec);
        return function;
    }

    /// <summary>The zip's digest of <see cref="Zip"/>.</summary>
    public const string ZipSha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    /// <summary>An installation with the chart's four runtimes and a code endpoint.</summary>
    public static readonly OperatorDefaults CodeDefaults = new()
    {
        Runtimes = new Dictionary<string, ManagedRuntime>
        {
            ["nodejs22.x"] = new("docker.io/lamina/runtime-nodejs22:dev", FunctionDefaults.Command, HandlerRequired: true),
            ["python3.11"] = new("docker.io/lamina/runtime-python311:dev", FunctionDefaults.Command, HandlerRequired: true),
            ["provided.al2023"] = new("docker.io/lamina/runtime-provided:dev", FunctionDefaults.Command, HandlerRequired: false),
            ["provided.al2"] = new("docker.io/lamina/runtime-provided:dev", FunctionDefaults.Command, HandlerRequired: false),
        },
        CodeEndpoint = "http://lamina-gateway.lamina-system.svc:8085",
    };

    /// <summary>A valid zip function: index.handler on nodejs22.x, its zip in the code store.</summary>
    public static Function Zip(string name = "hello", string ns = "team-a", Action<FunctionSpec>? change = null)
    {
        var function = new Function
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Uid = $"uid-{name}", Generation = 1 },
            Spec = new FunctionSpec
            {
                Runtime = "nodejs22.x",
                Handler = "index.handler",
                Code = new FunctionCode { Zip = new FunctionCodeZip { Sha256 = ZipSha256, Size = 1234 } },
            },
        };
        change?.Invoke(function.Spec);
        return function;
    }
}
