using k8s.Models;
using Lamina.Operator.Api;

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
}
