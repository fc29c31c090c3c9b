using System.Text.Json;
using Lamina.Kubernetes.Client;
using Lamina.Operator.Reconciliation;
using Lamina.Testing;

namespace Lamina.Operator.Tests.Reconciliation;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ServiceBuilderTests
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    [Fact]
    public void Build_Function_MatchesGolden() =>
        Golden.AssertMatches("tests/Lamina.Operator.Tests/Reconciliation/Golden/service.json",
            ObjectJson.ToNode(ServiceBuilder.Build(Functions.Valid())).ToJsonString(Indented) + "\n");
}
