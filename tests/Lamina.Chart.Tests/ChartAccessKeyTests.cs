using System.Text;
using Lamina.Testing;

namespace Lamina.Chart.Tests;

/// <summary>The optional initial access key (docs/gateway-auth.md) and auth.mode.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ChartAccessKeyTests
{
    [Fact]
    public async Task Render_Defaults_NoKey()
    {
        Assert.DoesNotContain(await ChartRender.RenderAsync(ChartRender.Kube120), IsAccessKey);
    }

    [Fact]
    public async Task Render_Create_GeneratedKeyLabelledForTheGateway()
    {
        var secret = Assert.Single(await ChartRender.RenderAsync("--set", "auth.accessKey.create=true"), IsAccessKey);
        Assert.Equal("lamina-access-key", secret.Name);
        Assert.Equal(ChartRender.ReleaseNamespace, secret.Namespace);
        Assert.Equal("true", Yaml.StringMap(secret.Root, "metadata.labels")["lamina.dev/access-key"]);
        var data = Decoded(secret);
        Assert.Matches("^AKIALAMINA[A-Z0-9]{10}$", data["accessKeyId"]);
        Assert.Matches("^[A-Za-z0-9]{40}$", data["secretAccessKey"]);
        Assert.Equal("*", data["namespaces"]);
        Assert.Equal("default", data["defaultNamespace"]);
    }

    [Fact]
    public async Task Render_FullValues_SuppliedKeyInTheAccessKeyNamespace()
    {
        var secret = Assert.Single(await ChartRender.NamedAsync("full@1.20"), IsAccessKey);
        Assert.Equal(("first-key", "lamina-keys"), (secret.Name, secret.Namespace));
        var data = Decoded(secret);
        Assert.Equal("AKIAFULLVALUES000001", data["accessKeyId"]);
        Assert.Equal("full-values-secret-access-key-0000000000", data["secretAccessKey"]);
        Assert.Equal("functions,staging", data["namespaces"]);
        Assert.Equal("functions", data["defaultNamespace"]);
    }

    [Fact]
    public async Task Render_ExistingSecret_NothingCreated()
    {
        var manifests = await ChartRender.RenderAsync("--set", "auth.accessKey.create=true", "--set", "auth.accessKey.existingSecret=team-key");
        Assert.DoesNotContain(manifests, IsAccessKey);
    }

    [Fact]
    public async Task Render_AuthNone_GatewayModeNone()
    {
        var manifests = await ChartRender.RenderAsync("--set", "auth.mode=none");
        Assert.Equal("None", Yaml.Env(ChartWorkloads.Container(manifests, "gateway"), "Lamina__Gateway__Auth__Mode"));
    }

    private static bool IsAccessKey(Manifest m) => m.Kind == "Secret" && Yaml.StringMap(m.Root, "metadata.labels").ContainsKey("lamina.dev/access-key");

    private static Dictionary<string, string> Decoded(Manifest secret) =>
        Yaml.StringMap(secret.Root, "data").ToDictionary(e => e.Key, e => Encoding.UTF8.GetString(Convert.FromBase64String(e.Value)));
}
