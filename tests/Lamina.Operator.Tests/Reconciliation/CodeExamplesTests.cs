using k8s;
using k8s.Models;
using Lamina.Operator.Api;
using Lamina.Operator.Reconciliation;
using Lamina.Testing;
using Lamina.Testing.Fakes;

namespace Lamina.Operator.Tests.Reconciliation;

/// <summary>The zip examples (examples/code/) stay runnable: each Function is valid on the chart's runtimes and its ConfigMap holds the zip its comment names.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class CodeExamplesTests
{
    public static TheoryData<string> Examples => new() { "nodejs-configmap.yaml", "python-configmap.yaml", "provided-configmap.yaml" };

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_ConfigMapFunction_ValidAndResolvesToTheDigestItStates(string file)
    {
        var path = Path.Combine(RepositoryLayout.Discover().Root, "examples", "code", file);
        var text = File.ReadAllText(path);
        var objects = KubernetesYaml.LoadAllFromString(text, new Dictionary<string, Type> { ["lamina.dev/v1alpha1/Function"] = typeof(Function) });
        var configMap = Assert.Single(objects.OfType<V1ConfigMap>());
        var function = Assert.Single(objects.OfType<Function>());
        var client = new FakeKubernetesClient();
        client.Seed(configMap);

        Assert.Empty(SpecValidator.Validate(function, _ => false, Functions.CodeDefaults.Runtimes));
        var (package, problem) = FunctionPackages.Resolve(function, Functions.CodeDefaults, new FakeLister<V1ConfigMap>(client));

        Assert.Null(problem);
        Assert.Contains($"Its SHA-256 is {package!.Code.Sha256} ({package.Code.Size} bytes)", text, StringComparison.Ordinal);
    }
}
