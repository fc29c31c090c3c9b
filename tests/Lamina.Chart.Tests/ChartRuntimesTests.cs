using Lamina.Operator.Hosting;
using Lamina.Operator.Reconciliation;
using Lamina.Testing;
using Microsoft.Extensions.Configuration;

namespace Lamina.Chart.Tests;

/// <summary>
/// Issue 21: the runtime table is data. operator.runtimes becomes the operator's
/// Lamina:Operator:Runtimes section (read back here through .NET configuration, as the operator reads
/// its environment), and operator.codeEndpoint its CodeEndpoint, this release's gateway by default.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ChartRuntimesTests
{
    [Fact]
    public async Task Render_Defaults_FourRuntimesOnTheReleaseImagesAndTheGatewaysCodeEndpoint()
    {
        var options = OperatorOptionsOf(await ChartRender.NamedAsync("default@1.20"));

        Assert.Equal(
            new Dictionary<string, ManagedRuntime>
            {
                ["nodejs22.x"] = new("docker.io/lamina/runtime-nodejs22:dev", ["/lambda-entrypoint.sh"], HandlerRequired: true),
                ["python3.11"] = new("docker.io/lamina/runtime-python311:dev", ["/lambda-entrypoint.sh"], HandlerRequired: true),
                ["provided.al2023"] = new("docker.io/lamina/runtime-provided:dev", ["/lambda-entrypoint.sh"], HandlerRequired: false),
                ["provided.al2"] = new("docker.io/lamina/runtime-provided:dev", ["/lambda-entrypoint.sh"], HandlerRequired: false),
            }.OrderBy(p => p.Key).Select(p => (p.Key, p.Value.Image, string.Join(' ', p.Value.Command), p.Value.HandlerRequired)),
            options.ManagedRuntimes().OrderBy(p => p.Key).Select(p => (p.Key, p.Value.Image, string.Join(' ', p.Value.Command), p.Value.HandlerRequired)));
        Assert.Equal("http://lamina-gateway.lamina-system.svc:8085", options.CodeEndpoint);
        Assert.True(new OperatorOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public async Task Render_RuntimeAddedRemovedAndRetagged_TableFollows()
    {
        var options = OperatorOptionsOf(await ChartRender.RenderAsync(
        [
            "--set", "image.tag=1.2.3",
            "--set", "operator.runtimes.provided\\.al2=null",
            "--set", "operator.runtimes.java21.image=registry.example/runtimes/java:21",
            "--set", "operator.runtimes.java21.command[0]=/entry.sh",
            "--set", "operator.runtimes.java21.command[1]=--fast",
            "--set", "operator.codeEndpoint=https://code.example:8443",
            .. ChartRender.Kube120,
        ]));

        var runtimes = options.ManagedRuntimes();
        Assert.Equal(["java21", "nodejs22.x", "provided.al2023", "python3.11"], runtimes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("registry.example/runtimes/java:21", "/entry.sh --fast", true),
            (runtimes["java21"].Image, string.Join(' ', runtimes["java21"].Command), runtimes["java21"].HandlerRequired));
        Assert.Equal("docker.io/lamina/runtime-nodejs22:1.2.3", runtimes["nodejs22.x"].Image);
        Assert.Equal("https://code.example:8443", options.CodeEndpoint);
    }

    [Theory]
    [InlineData("operator.runtimes.Java_21.image=x", "Java_21")]
    [InlineData("operator.runtimes.java21.imag=x", "imag")]
    [InlineData("operator.runtimes.nodejs22\\.x.image=", "image")]
    [InlineData("operator.codeEndpoint=http://gateway/code", "codeEndpoint")]
    public async Task Template_BadRuntimeOrEndpoint_FailsNamingIt(string set, string key)
    {
        var result = await ChartRender.TryRenderAsync("--set", set);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(key, result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>The operator container's Lamina__Operator__* variables bound as the operator binds them.</summary>
    private static OperatorOptions OperatorOptionsOf(IReadOnlyList<Manifest> manifests)
    {
        var container = ChartWorkloads.Container(manifests, "operator");
        var variables = Yaml.Maps(container, "env")
            .Where(e => Yaml.Str(e, "name")!.StartsWith("Lamina__Operator__", StringComparison.Ordinal) && Yaml.Str(e, "value") is not null)
            .Select(e => KeyValuePair.Create(Yaml.Str(e, "name")!.Replace("__", ":", StringComparison.Ordinal), Yaml.Str(e, "value")));
        var options = new OperatorOptions();
        new ConfigurationBuilder().AddInMemoryCollection(variables).Build().GetSection(OperatorOptions.Section).Bind(options);
        return options;
    }
}
