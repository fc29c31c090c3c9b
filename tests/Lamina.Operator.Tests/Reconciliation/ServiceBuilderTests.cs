using System.Text.Json;
using Lamina.Kubernetes.Serialization;
using Lamina.Operator.Reconciliation;
using Lamina.Testing;

namespace Lamina.Operator.Tests.Reconciliation;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ServiceBuilderTests
{
    private static readonly JsonSerializerOptions Indented = new(KubernetesJsonContext.Default.Options) { WriteIndented = true };

    [Fact]
    public void Build_Function_MatchesGolden() =>
        Golden.AssertMatches("tests/Lamina.Operator.Tests/Reconciliation/Golden/service.json",
            JsonSerializer.Serialize(ServiceBuilder.Build(Functions.Valid()), Indented) + "\n");
}
