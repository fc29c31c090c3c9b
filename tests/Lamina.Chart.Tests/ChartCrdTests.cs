using Lamina.Testing;
using YamlDotNet.Serialization;

namespace Lamina.Chart.Tests;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ChartCrdTests
{
    private const string Keep = "helm.sh/resource-policy";

    [Fact]
    public async Task Render_Defaults_CrdKept()
    {
        var crd = Assert.Single(await ChartRender.RenderAsync(ChartRender.Kube120), m => m.Kind == "CustomResourceDefinition");
        Assert.Equal("functions.lamina.dev", crd.Name);
        Assert.Equal("keep", Yaml.StringMap(crd.Root, "metadata.annotations")[Keep]);
    }

    [Fact]
    public async Task Render_KeepOff_NoKeepAnnotation()
    {
        var crd = Assert.Single(await ChartRender.RenderAsync("--set", "crds.keep=false"), m => m.Kind == "CustomResourceDefinition");
        Assert.False(Yaml.StringMap(crd.Root, "metadata.annotations").ContainsKey(Keep));
    }

    [Fact]
    public async Task Render_InstallOff_NoCrd()
    {
        Assert.DoesNotContain(await ChartRender.RenderAsync("--set", "crds.install=false"), m => m.Kind == "CustomResourceDefinition");
    }

    [Fact]
    public async Task Render_Crd_SameAsGeneratedCrdsFolder()
    {
        // crds/ is checked against the C# types by CrdGeneratorTests; the chart's copy against crds/ here
        // (both are written by `make generate`), apart from the chart's labels and keep annotation.
        // A render of its own: this test edits the parsed object.
        var crd = Assert.Single(ChartRender.Parse(await Helm.RunCheckedAsync(["template", "x", ChartRender.ChartPath])), m => m.Kind == "CustomResourceDefinition");
        var generated = new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(
            await File.ReadAllTextAsync(Path.Combine(ChartRender.Root, "crds", "lamina.dev_functions.yaml")));
        var metadata = Yaml.Map(crd.Root, "metadata")!;
        metadata.Remove("annotations");
        var labels = Yaml.Map(metadata, "labels")!;
        foreach (var key in labels.Keys.Cast<string>().Where(k => k != "app.kubernetes.io/part-of").ToList())
        {
            labels.Remove(key);
        }

        var serializer = new SerializerBuilder().Build();
        Assert.True(
            serializer.Serialize(generated) == serializer.Serialize(crd.Root),
            "charts/lamina/templates/crds/functions.yaml differs from crds/lamina.dev_functions.yaml: run `make generate`");
    }
}
