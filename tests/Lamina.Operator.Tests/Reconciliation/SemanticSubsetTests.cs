using System.Text.Json.Nodes;
using Lamina.Operator.Reconciliation;
using Lamina.Testing;

namespace Lamina.Operator.Tests.Reconciliation;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class SemanticSubsetTests
{
    private const string Desired = """
        { "spec": { "containers": [ { "name": "function", "image": "a", "ports": [ { "name": "invoke", "containerPort": 8080 } ],
                                      "command": ["/shim", "--", "/entry"] } ] } }
        """;

    [Theory]
    [InlineData("server defaults added", """{ "spec": { "dnsPolicy": "ClusterFirst", "containers": [ { "name": "function", "image": "a", "terminationMessagePath": "/dev/termination-log", "ports": [ { "name": "invoke", "containerPort": 8080, "protocol": "TCP" } ], "command": ["/shim", "--", "/entry"] } ] } }""")]
    [InlineData("someone's sidecar added", """{ "spec": { "containers": [ { "name": "sidecar", "image": "s" }, { "name": "function", "image": "a", "ports": [ { "name": "invoke", "containerPort": 8080 } ], "command": ["/shim", "--", "/entry"] } ] } }""")]
    public void IsSubset_NoFieldOfOursChanged_True(string scenario, string actual) =>
        Assert.True(SemanticSubset.IsSubset(JsonNode.Parse(Desired), JsonNode.Parse(actual)), scenario);

    [Theory]
    [InlineData("image edited", """{ "spec": { "containers": [ { "name": "function", "image": "b", "ports": [ { "name": "invoke", "containerPort": 8080 } ], "command": ["/shim", "--", "/entry"] } ] } }""")]
    [InlineData("our container removed", """{ "spec": { "containers": [ { "name": "other", "image": "a" } ] } }""")]
    [InlineData("port renumbered", """{ "spec": { "containers": [ { "name": "function", "image": "a", "ports": [ { "name": "invoke", "containerPort": 9 } ], "command": ["/shim", "--", "/entry"] } ] } }""")]
    [InlineData("an argument appended to an atomic list", """{ "spec": { "containers": [ { "name": "function", "image": "a", "ports": [ { "name": "invoke", "containerPort": 8080 } ], "command": ["/shim", "--", "/entry", "x"] } ] } }""")]
    public void IsSubset_FieldOfOursChanged_False(string scenario, string actual) =>
        Assert.False(SemanticSubset.IsSubset(JsonNode.Parse(Desired), JsonNode.Parse(actual)), scenario);

    [Fact]
    public void IsSubset_IntOrStringComesBackAsOtherKind_True() =>
        Assert.True(SemanticSubset.IsSubset(JsonNode.Parse("""{ "port": 8080 }"""), JsonNode.Parse("""{ "port": "8080" }""")));

    [Theory]
    [InlineData("1024Mi", "1Gi")]
    [InlineData("1000m", "1")]
    [InlineData("512Mi", "536870912")]
    [InlineData("1.5Gi", "1536Mi")]
    public void IsSubset_QuantityCanonicalizedByServer_True(string desired, string stored) =>
        Assert.True(SemanticSubset.IsSubset(
            JsonNode.Parse($$"""{ "resources": { "limits": { "memory": "{{desired}}" } } }"""),
            JsonNode.Parse($$"""{ "resources": { "limits": { "memory": "{{stored}}" } } }""")));

    [Fact]
    public void IsSubset_QuantityTextOutsideResources_ComparedAsText() =>
        Assert.False(SemanticSubset.IsSubset(JsonNode.Parse("""{ "env": { "value": "1024Mi" } }"""), JsonNode.Parse("""{ "env": { "value": "1Gi" } }""")));

    [Fact]
    public void FirstDifference_ChangedImage_NamesPathWithItemName() =>
        Assert.Equal("spec.containers[function].image", SemanticSubset.FirstDifference(JsonNode.Parse(Desired), JsonNode.Parse(Desired.Replace("\"image\": \"a\"", "\"image\": \"b\"", StringComparison.Ordinal))));

    [Fact]
    public void IsSubset_EmptyListTheServerDropped_True() =>
        Assert.True(SemanticSubset.IsSubset(JsonNode.Parse("""{ "containers": [{ "name": "function", "args": [] }] }"""), JsonNode.Parse("""{ "containers": [{ "name": "function" }] }""")));

    [Fact]
    public void IsSubset_NonEmptyListMissing_False() =>
        Assert.False(SemanticSubset.IsSubset(JsonNode.Parse("""{ "containers": [{ "name": "function", "args": ["index.handler"] }] }"""), JsonNode.Parse("""{ "containers": [{ "name": "function" }] }""")));
}
