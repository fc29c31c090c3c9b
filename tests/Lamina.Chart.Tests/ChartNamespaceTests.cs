using Lamina.Testing;

namespace Lamina.Chart.Tests;

/// <summary>Every namespaced object lands where it belongs; cluster-scoped ones carry no namespace.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ChartNamespaceTests
{
    private static readonly string[] ClusterScoped = ["CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "PriorityClass", "Namespace"];

    [Theory]
    [MemberData(nameof(ChartRender.Renders), MemberType = typeof(ChartRender))]
    public async Task Render_EveryObject_InItsNamespace(string render)
    {
        var full = ChartRender.IsFull(render);
        var accessKeys = full ? "lamina-keys" : ChartRender.ReleaseNamespace;
        var watched = full ? "functions" : null;
        var dashboards = full ? "monitoring" : ChartRender.ReleaseNamespace;
        var fullname = full ? "lamina-full" : "lamina";
        foreach (var manifest in await ChartRender.NamedAsync(render))
        {
            var expected = manifest switch
            {
                { Kind: var kind } when ClusterScoped.Contains(kind) => null,
                { Kind: "Secret", Name: var name } when name == $"{fullname}-async" => ChartRender.ReleaseNamespace,
                { Kind: "Secret" or "ConfigMap", Name: var name } when name == $"{fullname}-code-store" => ChartRender.ReleaseNamespace,
                { Kind: "Secret" } => accessKeys,
                { Kind: "NetworkPolicy", Name: var name } when name == $"{fullname}-functions" => watched ?? "default",
                { Kind: "Role" or "RoleBinding", Name: var name } when name.EndsWith("-access-keys", StringComparison.Ordinal) => accessKeys,
                { Kind: "Role" or "RoleBinding", Name: var name } when name == $"{fullname}-operator" || name == $"{fullname}-gateway" => watched,
                { Kind: "ConfigMap" } => dashboards,
                _ => ChartRender.ReleaseNamespace,
            };
            Assert.True(expected == manifest.Namespace, $"{manifest}: expected namespace {expected ?? "(none)"}");
            Assert.True(manifest.Namespace is not null || ClusterScoped.Contains(manifest.Kind), $"{manifest} has no namespace");
            foreach (var subject in Yaml.Maps(manifest.Root, "subjects"))
            {
                Assert.Equal(ChartRender.ReleaseNamespace, Yaml.Str(subject, "namespace"));
            }
        }
    }
}
