using System.Text.Json;
using k8s.Models;
using Lamina.Kubernetes.Client;
using Lamina.Operator.Api;
using Lamina.Operator.Reconciliation;
using Lamina.Testing;

namespace Lamina.Operator.Tests.Reconciliation;

/// <summary>A zip function's pod: the runtime's image, the fetch-code init container, read-only code and layers, the token only where it is used.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class CodePodTests
{
    private const string Shim = "/opt/lamina/runtime-shim";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    [Fact]
    public void Build_ZipFunction_MatchesGolden()
    {
        var function = Functions.Zip(change: s => s.Layers = [new FunctionLayer { Sha256 = new string('c', 64), Size = 99, Arn = "arn:aws:lambda:us-east-1:123456789012:layer:deps:3" }]);

        Golden.AssertMatches("tests/Lamina.Operator.Tests/Reconciliation/Golden/deployment-zip.json",
            ObjectJson.ToNode(Build(function)).ToJsonString(Indented) + "\n");
    }

    [Fact]
    public void Build_ZipFunction_RuntimeImageUnderTheShimWithTheHandler()
    {
        var container = Pod(Functions.Zip()).Containers.Single();

        Assert.Equal("docker.io/lamina/runtime-nodejs22:dev", container.Image);
        Assert.Equal([Shim, "--", "/lambda-entrypoint.sh"], container.Command);
        Assert.Equal(["index.handler"], container.Args);
        Assert.Equal("AWS_Lambda_nodejs22.x", Assert.Single(container.Env, e => e.Name == "AWS_EXECUTION_ENV").Value);
    }

    [Fact]
    public void Build_RuntimeWithItsOwnCommand_ThatCommand()
    {
        var defaults = Functions.CodeDefaults with
        {
            Runtimes = new Dictionary<string, ManagedRuntime> { ["nodejs22.x"] = new("img", ["/var/runtime/bootstrap", "--esm"], HandlerRequired: true) },
        };

        var container = Pod(Functions.Zip(), defaults).Containers.Single();

        Assert.Equal([Shim, "--", "/var/runtime/bootstrap", "--esm"], container.Command);
    }

    [Fact]
    public void Build_ZipFunction_InitContainersInstallThenFetch()
    {
        var pod = Pod(Functions.Zip());

        Assert.Equal(["install-shim", "fetch-code"], pod.InitContainers.Select(c => c.Name));
        var fetch = pod.InitContainers[1];
        Assert.Equal(Functions.CodeDefaults.ShimImage, fetch.Image);
        Assert.Equal([Shim, "fetch"], fetch.Command);
        Assert.Equal("FallbackToLogsOnError", fetch.TerminationMessagePolicy);
        Assert.Equal((true, false, true, true), (fetch.SecurityContext.RunAsNonRoot, fetch.SecurityContext.AllowPrivilegeEscalation, fetch.SecurityContext.ReadOnlyRootFilesystem, fetch.SecurityContext.Capabilities.Drop.SequenceEqual(["ALL"])));
        Assert.False(fetch.Resources.Limits.ContainsKey("cpu"));
    }

    [Fact]
    public void Build_ZipWithLayers_FetchArgumentsInTheContractsTermsLayersInOrder()
    {
        var function = Functions.Zip(change: s => s.Layers =
        [
            new FunctionLayer { Sha256 = new string('e', 64), Size = 7 },
            new FunctionLayer { Sha256 = new string('d', 64), Size = 8 },
        ]);

        var fetch = Pod(function).InitContainers.Single(c => c.Name == "fetch-code");

        Assert.Equal(
        [
            "--code", $"sha256:{Functions.ZipSha256}:1234",
            "--layer", $"sha256:{new string('e', 64)}:7",
            "--layer", $"sha256:{new string('d', 64)}:8",
            "--store", "http://lamina-gateway.lamina-system.svc:8085",
            "--namespace", "team-a",
            "--token-file", "/var/run/secrets/lamina.dev/code/token",
            "--task", "/var/task",
            "--opt", "/opt",
        ], fetch.Args);
    }

    [Fact]
    public void Build_ZipFunction_CodeAndLayersReadOnlyToTheRuntimeWritableToTheFetch()
    {
        var pod = Pod(Functions.Zip());
        var function = pod.Containers.Single();
        var fetch = pod.InitContainers.Single(c => c.Name == "fetch-code");

        Assert.Equal(
            [("lamina-code", "/var/task", true), ("lamina-layers", "/opt", true), ("lamina-shim", "/opt/lamina", true), ("tmp", "/tmp", false)],
            function.VolumeMounts.Select(m => (m.Name, m.MountPath, m.ReadOnlyProperty ?? false)));
        Assert.Equal(
            [("lamina-code", "/var/task", false), ("lamina-layers", "/opt", false), ("lamina-shim", "/opt/lamina", true), ("lamina-code-token", "/var/run/secrets/lamina.dev/code", true)],
            fetch.VolumeMounts.Select(m => (m.Name, m.MountPath, m.ReadOnlyProperty ?? false)));
        foreach (var name in new[] { "lamina-code", "lamina-layers" })
        {
            Assert.Equal("250Mi", pod.Volumes.Single(v => v.Name == name).EmptyDir.SizeLimit);
        }
    }

    [Fact]
    public void Build_ZipFunction_TokenProjectedForTheCodeAudienceOnlyIntoTheFetch()
    {
        var pod = Pod(Functions.Zip());

        Assert.False(pod.AutomountServiceAccountToken);
        var token = Assert.Single(pod.Volumes.Single(v => v.Name == "lamina-code-token").Projected.Sources).ServiceAccountToken;
        Assert.Equal(("lamina.dev/code", 600L, "token"), (token.Audience, token.ExpirationSeconds, token.Path));
        var holders = pod.InitContainers.Concat(pod.Containers).Where(c => c.VolumeMounts.Any(m => m.Name == "lamina-code-token")).Select(c => c.Name);
        Assert.Equal(["fetch-code"], holders);
    }

    [Fact]
    public void Build_ConfigMapSource_KeyMountedAsAFileIntoTheFetchOnly()
    {
        var function = Functions.Zip(change: s => s.Code = new FunctionCode { ConfigMap = new FunctionCodeConfigMap { Name = "hello-code", Key = "app.zip" } });
        var package = new FunctionPackage("nodejs22.x", Functions.CodeDefaults.Runtimes["nodejs22.x"], new BlobDigest(new string('f', 64), 321), new ConfigMapKey("hello-code", "app.zip"), []);

        var pod = DeploymentBuilder.Build(function, EnvironmentKind.OnDemand, 1, Functions.CodeDefaults, package).Spec.Template.Spec;

        var volume = pod.Volumes.Single(v => v.Name == "lamina-code-configmap").ConfigMap;
        Assert.Equal(("hello-code", "app.zip", "function.zip"), (volume.Name, Assert.Single(volume.Items).Key, volume.Items[0].Path));
        var fetch = pod.InitContainers.Single(c => c.Name == "fetch-code");
        Assert.Equal(["--code", $"sha256:{new string('f', 64)}:321", "--code-file", "/var/run/lamina.dev/code-configmap/function.zip"], fetch.Args.Take(4));
        Assert.Contains(fetch.VolumeMounts, m => m is { Name: "lamina-code-configmap", MountPath: "/var/run/lamina.dev/code-configmap", ReadOnlyProperty: true });
        Assert.DoesNotContain(pod.Containers.Single().VolumeMounts, m => m.Name == "lamina-code-configmap");
    }

    [Theory]
    [InlineData(null, "512Mi")]
    [InlineData(2048, "2048Mi")]
    public void Build_EphemeralStorage_TmpSizeLimit(int? sizeMB, string expected)
    {
        var function = Functions.Zip(change: s => s.EphemeralStorage = sizeMB is null ? null : new FunctionEphemeralStorage { Size = sizeMB });

        Assert.Equal(expected, Pod(function).Volumes.Single(v => v.Name == "tmp").EmptyDir.SizeLimit);
    }

    [Fact]
    public void Build_CodeOrLayerChanged_PodTemplateDiffers()
    {
        var before = ObjectJson.ToNode(Build(Functions.Zip()).Spec.Template);
        var newCode = ObjectJson.ToNode(Build(Functions.Zip(change: s => s.Code!.Zip!.Sha256 = new string('0', 64))).Spec.Template);
        var newLayer = ObjectJson.ToNode(Build(Functions.Zip(change: s => s.Layers = [new FunctionLayer { Sha256 = new string('1', 64), Size = 1 }])).Spec.Template);

        Assert.False(System.Text.Json.Nodes.JsonNode.DeepEquals(before, newCode));
        Assert.False(System.Text.Json.Nodes.JsonNode.DeepEquals(before, newLayer));
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(before, ObjectJson.ToNode(Build(Functions.Zip()).Spec.Template)));
    }

    [Fact]
    public void Build_ZipFunctionWithoutItsPackage_Refused() =>
        Assert.Throws<ArgumentException>(() => DeploymentBuilder.Build(Functions.Zip(), EnvironmentKind.OnDemand, 1, Functions.CodeDefaults));

    [Fact]
    public void Build_ImageFunction_NoCodeVolumesNoToken()
    {
        var pod = DeploymentBuilder.Build(Functions.Valid(), EnvironmentKind.OnDemand, 1, Functions.CodeDefaults).Spec.Template.Spec;

        Assert.Equal(["install-shim"], pod.InitContainers.Select(c => c.Name));
        Assert.Equal(["lamina-shim", "tmp"], pod.Volumes.Select(v => v.Name));
    }

    private static V1Deployment Build(Function function, OperatorDefaults? defaults = null)
    {
        defaults ??= Functions.CodeDefaults;
        var (package, problem) = FunctionPackages.Resolve(function, defaults, new FakeLister<V1ConfigMap>(new Lamina.Testing.Fakes.FakeKubernetesClient()));
        Assert.Null(problem);
        return DeploymentBuilder.Build(function, EnvironmentKind.OnDemand, 1, defaults, package);
    }

    private static V1PodSpec Pod(Function function, OperatorDefaults? defaults = null) => Build(function, defaults).Spec.Template.Spec;
}
