using System.Text;
using Lamina.Testing;

namespace Lamina.Chart.Tests;

/// <summary>
/// The code store (codeStore.*): the chart's registry on a volume with htpasswd auth and its
/// NetworkPolicy, or an external registry; the gateway's Lamina__CodeStore__* settings either way.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ChartCodeStoreTests
{
    private const string Name = "lamina-code-store";
    private const string Url = "http://$(LAMINA_CODE_STORE_SERVICE_HOST):$(LAMINA_CODE_STORE_SERVICE_PORT)";

    [Fact]
    public async Task Render_Defaults_OneRegistryPodOnAVolumeClaimWithHealthProbes()
    {
        var manifests = await ChartRender.RenderAsync(ChartRender.Kube120);
        var statefulSet = ChartWorkloads.Workload(manifests, "code-store");
        var registry = ChartWorkloads.Container(manifests, "code-store");

        Assert.Equal(("StatefulSet", Name), (statefulSet.Kind, statefulSet.Name));
        Assert.Equal("1", Yaml.Str(statefulSet.Root, "spec.replicas"));
        Assert.Equal("docker.io/lamina/registry:dev", Yaml.Str(registry, "image"));
        Assert.Equal(["serve", "/etc/lamina-code-store-config/config.yml"], Yaml.List(registry, "args").Cast<string>());
        var claim = Assert.Single(Yaml.Maps(statefulSet.Root, "spec.volumeClaimTemplates"));
        Assert.Equal("data", Yaml.Str(claim, "metadata.name"));
        Assert.Equal("10Gi", Yaml.Str(claim, "spec.resources.requests.storage"));
        Assert.Null(Yaml.Str(claim, "spec.storageClassName"));
        Assert.Equal("/var/lib/registry", Yaml.Str(Yaml.Maps(registry, "volumeMounts").Single(m => Yaml.Str(m, "name") == "data"), "mountPath"));
        Assert.DoesNotContain(Yaml.Maps(statefulSet.Root, "spec.template.spec.volumes"), v => Yaml.Str(v, "name") == "data");
        foreach (var probe in new[] { "livenessProbe", "readinessProbe" })
        {
            Assert.Equal("/debug/health", Yaml.Str(registry, $"{probe}.httpGet.path"));
            Assert.Equal("debug", Yaml.Str(registry, $"{probe}.httpGet.port"));
        }

        Assert.Equal("false", Yaml.Str(statefulSet.Root, "spec.template.spec.automountServiceAccountToken"));
    }

    [Fact]
    public async Task Render_StorageClassAndSize_OnTheClaim()
    {
        var manifests = await ChartRender.RenderAsync("--set", "codeStore.persistence.storageClass=lamina-local", "--set", "codeStore.persistence.size=2Gi");
        var claim = Assert.Single(Yaml.Maps(ChartWorkloads.Workload(manifests, "code-store").Root, "spec.volumeClaimTemplates"));

        Assert.Equal("lamina-local", Yaml.Str(claim, "spec.storageClassName"));
        Assert.Equal("2Gi", Yaml.Str(claim, "spec.resources.requests.storage"));
    }

    [Fact]
    public async Task Render_PersistenceOff_EmptyDirAndNoClaim()
    {
        var manifests = await ChartRender.RenderAsync("--set", "codeStore.persistence.enabled=false");
        var statefulSet = ChartWorkloads.Workload(manifests, "code-store");

        Assert.Empty(Yaml.List(statefulSet.Root, "spec.volumeClaimTemplates"));
        var data = Yaml.Maps(statefulSet.Root, "spec.template.spec.volumes").Single(v => Yaml.Str(v, "name") == "data");
        Assert.NotNull(Yaml.Map(data, "emptyDir"));
    }

    [Fact]
    public async Task Render_Defaults_ConfigStoresOnTheVolumeWithHtpasswdDeletesAndNoRedirects()
    {
        var manifests = await ChartRender.RenderAsync();
        var configMap = Assert.Single(manifests, m => m.Kind == "ConfigMap" && m.Name == Name);
        var config = ChartRender.Parse((string)Yaml.Map(configMap.Root, "data")!["config.yml"]).Single().Root;
        var registry = ChartWorkloads.Container(manifests, "code-store");
        var mounts = Yaml.Maps(registry, "volumeMounts").ToDictionary(m => Yaml.Str(m, "name")!, m => Yaml.Str(m, "mountPath")!);

        Assert.Equal(mounts["data"], Yaml.Str(config, "storage.filesystem.rootdirectory"));
        Assert.Equal("true", Yaml.Str(config, "storage.delete.enabled"));
        Assert.Equal("true", Yaml.Str(config, "storage.redirect.disable"));
        Assert.Equal(":5000", Yaml.Str(config, "http.addr"));
        Assert.Equal(":5001", Yaml.Str(config, "http.debug.addr"));
        Assert.Equal("true", Yaml.Str(config, "health.storagedriver.enabled"));
        Assert.Equal(mounts["auth"] + "/htpasswd", Yaml.Str(config, "auth.htpasswd.path"));
        Assert.Equal(mounts["config"] + "/config.yml", Yaml.List(registry, "args").Cast<string>().Last());
        Assert.Equal(["5000", "5001"], Yaml.Maps(registry, "ports").Select(p => Yaml.Str(p, "containerPort")!));
    }

    [Fact]
    public async Task Render_Defaults_GeneratedPasswordAndItsBcryptHtpasswdInOneSecret()
    {
        var manifests = await ChartRender.RenderAsync();
        var data = Decoded(Assert.Single(manifests, m => m.Kind == "Secret" && m.Name == Name));

        Assert.Equal("lamina", data["username"]);
        Assert.Matches("^[A-Za-z0-9]{40}$", data["password"]);
        // bcrypt: the only hash docker-registry's htpasswd auth accepts.
        Assert.Matches(@"^lamina:\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}\n$", data["htpasswd"]);
        Assert.Matches("^[A-Za-z0-9]{32}$", data["httpSecret"]);
        var volume = Yaml.Maps(ChartWorkloads.Workload(manifests, "code-store").Root, "spec.template.spec.volumes").Single(v => Yaml.Str(v, "name") == "auth");
        Assert.Equal(["htpasswd"], Yaml.Maps(volume, "secret.items").Select(i => Yaml.Str(i, "key")!));
    }

    [Fact]
    public async Task Template_Secret_ReadsGeneratedValuesBackOnUpgrade()
    {
        // helm template cannot look up; the template must, or an upgrade would change the password under the gateways.
        var template = await File.ReadAllTextAsync(Path.Combine(ChartRender.ChartPath, "templates", "code-store-secret.yaml"));

        Assert.Contains("lookup \"v1\" \"Secret\" .Release.Namespace $name", template, StringComparison.Ordinal);
        Assert.Contains("get $existing \"password\"", template, StringComparison.Ordinal);
        Assert.Contains("get $existing \"htpasswd\"", template, StringComparison.Ordinal);
        Assert.Contains("htpasswd $username $password", template, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_Defaults_GatewayGetsTheUrlUserAndAMountedPasswordFileOnly()
    {
        var manifests = await ChartRender.RenderAsync();
        var gateway = ChartWorkloads.Container(manifests, "gateway");
        var pod = Yaml.Map(ChartWorkloads.Workload(manifests, "gateway").Root, "spec.template.spec")!;

        Assert.Equal(Url, Yaml.Env(gateway, "Lamina__CodeStore__Url"));
        var username = Yaml.Maps(gateway, "env").Single(e => Yaml.Str(e, "name") == "Lamina__CodeStore__Username");
        Assert.Equal((Name, "username"), (Yaml.Str(username, "valueFrom.secretKeyRef.name"), Yaml.Str(username, "valueFrom.secretKeyRef.key")));
        Assert.Equal("/etc/lamina/code-store/password", Yaml.Env(gateway, "Lamina__CodeStore__PasswordFile"));
        var mount = Yaml.Maps(gateway, "volumeMounts").Single(m => Yaml.Str(m, "name") == "code-store");
        Assert.Equal(("/etc/lamina/code-store", "true"), (Yaml.Str(mount, "mountPath"), Yaml.Str(mount, "readOnly")));
        var volume = Yaml.Maps(pod, "volumes").Single(v => Yaml.Str(v, "name") == "code-store");
        Assert.Equal(Name, Yaml.Str(volume, "secret.secretName"));
        var item = Assert.Single(Yaml.Maps(volume, "secret.items"));
        Assert.Equal(("password", "password"), (Yaml.Str(item, "key"), Yaml.Str(item, "path")));

        // The password itself is in no other object.
        var password = Decoded(manifests.Single(m => m.Kind == "Secret" && m.Name == Name))["password"];
        var text = string.Join('\n', manifests.Where(m => m.Kind != "Secret").Select(m => new YamlDotNet.Serialization.SerializerBuilder().Build().Serialize(m.Root)));
        Assert.DoesNotContain(password, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_AsyncOff_GatewayStillGetsServiceLinksForTheStoresUrl()
    {
        var manifests = await ChartRender.RenderAsync("--set", "async.enabled=false");

        Assert.Equal("true", Yaml.Str(ChartWorkloads.Workload(manifests, "gateway").Root, "spec.template.spec.enableServiceLinks"));
        Assert.Equal(Url, Yaml.Env(ChartWorkloads.Container(manifests, "gateway"), "Lamina__CodeStore__Url"));
    }

    [Fact]
    public async Task Render_External_NoRegistryAndTheGatewayUsesTheExistingSecretsKeys()
    {
        var manifests = await ChartRender.RenderAsync(
            "--set", "codeStore.external.url=https://123456789012.dkr.ecr.us-east-1.amazonaws.com",
            "--set", "codeStore.external.existingSecret=ecr-credentials",
            "--set", "codeStore.external.usernameKey=user",
            "--set", "codeStore.external.passwordKey=token",
            "--set", "codeStore.external.insecureSkipTlsVerify=true");
        var gateway = ChartWorkloads.Container(manifests, "gateway");

        Assert.DoesNotContain(manifests, m => m.Name == Name);
        Assert.Equal("https://123456789012.dkr.ecr.us-east-1.amazonaws.com", Yaml.Env(gateway, "Lamina__CodeStore__Url"));
        Assert.Equal("true", Yaml.Env(gateway, "Lamina__CodeStore__InsecureSkipTlsVerify"));
        var username = Yaml.Maps(gateway, "env").Single(e => Yaml.Str(e, "name") == "Lamina__CodeStore__Username");
        Assert.Equal(("ecr-credentials", "user"), (Yaml.Str(username, "valueFrom.secretKeyRef.name"), Yaml.Str(username, "valueFrom.secretKeyRef.key")));
        var volume = Yaml.Maps(ChartWorkloads.Workload(manifests, "gateway").Root, "spec.template.spec.volumes").Single(v => Yaml.Str(v, "name") == "code-store");
        Assert.Equal("ecr-credentials", Yaml.Str(volume, "secret.secretName"));
        Assert.Equal("token", Yaml.Str(Assert.Single(Yaml.Maps(volume, "secret.items")), "key"));
    }

    [Fact]
    public async Task Render_ExternalAnonymous_UrlWithoutCredentials()
    {
        var manifests = await ChartRender.RenderAsync("--set", "codeStore.external.url=http://registry.internal:5000");
        var gateway = ChartWorkloads.Container(manifests, "gateway");

        Assert.Equal("http://registry.internal:5000", Yaml.Env(gateway, "Lamina__CodeStore__Url"));
        Assert.Null(Yaml.Env(gateway, "Lamina__CodeStore__PasswordFile"));
        Assert.DoesNotContain(Yaml.Maps(gateway, "env"), e => Yaml.Str(e, "name") == "Lamina__CodeStore__Username");
        Assert.DoesNotContain(Yaml.Maps(gateway, "volumeMounts"), m => Yaml.Str(m, "name") == "code-store");
    }

    [Fact]
    public async Task Render_Disabled_NoRegistryNoSettings()
    {
        var manifests = await ChartRender.RenderAsync("--set", "codeStore.enabled=false");

        Assert.DoesNotContain(manifests, m => m.Name == Name);
        Assert.DoesNotContain(Yaml.Maps(ChartWorkloads.Container(manifests, "gateway"), "env"), e => Yaml.Str(e, "name")!.StartsWith("Lamina__CodeStore__", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Render_Defaults_NetworkPolicyAdmitsTheReleasesGatewaysAndOperatorsToTheRegistryPortOnly()
    {
        var manifests = await ChartRender.RenderAsync();
        var policy = Assert.Single(manifests, m => m.Kind == "NetworkPolicy" && m.Name == Name);

        Assert.Equal(Selector(manifests, "code-store"), Yaml.StringMap(policy.Root, "spec.podSelector.matchLabels"));
        Assert.Equal(["Ingress"], Yaml.List(policy.Root, "spec.policyTypes").Cast<string>());
        var rule = Assert.Single(Yaml.Maps(policy.Root, "spec.ingress"));
        Assert.Equal(["5000"], Yaml.Maps(rule, "ports").Select(p => Yaml.Str(p, "port")!));
        Assert.Equal(
            [Selector(manifests, "gateway"), Selector(manifests, "operator")],
            Yaml.Maps(rule, "from").Select(peer => Yaml.StringMap(peer, "podSelector.matchLabels")));
        Assert.All(Yaml.Maps(rule, "from"), peer => Assert.Null(Yaml.At(peer, "namespaceSelector")));
    }

    [Fact]
    public async Task Render_Defaults_ServiceSelectsTheRegistryOnItsPort()
    {
        var manifests = await ChartRender.RenderAsync();
        var service = Assert.Single(manifests, m => m.Kind == "Service" && m.Name == Name);

        Assert.Equal(Selector(manifests, "code-store"), Yaml.StringMap(service.Root, "spec.selector"));
        var port = Assert.Single(Yaml.Maps(service.Root, "spec.ports"));
        Assert.Equal(("5000", "registry"), (Yaml.Str(port, "port"), Yaml.Str(port, "targetPort")));
        Assert.Equal(Name, Yaml.Str(ChartWorkloads.Workload(manifests, "code-store").Root, "spec.serviceName"));
    }

    [Theory]
    [InlineData(new[] { "--set", "codeStore.external.url=http://registry:5000", "--set", "codeStore.external.insecureSkipTlsVerify=true" }, "needs an https://")]
    [InlineData(new[] { "--set", "codeStore.external.existingSecret=creds" }, "codeStore.external.url is empty")]
    [InlineData(new[] { "--set", "codeStore.enabled=false", "--set", "codeStore.external.url=https://r" }, "codeStore.enabled is false")]
    [InlineData(new[] { "--set", "codeStore.external.url=ftp://registry" }, "codeStore.external.url")]
    [InlineData(new[] { "--set", "codeStore.persistance.enabled=false" }, "persistance")]
    public async Task Template_BadCodeStoreValues_FailWithAMessage(string[] args, string message)
    {
        var result = await ChartRender.TryRenderAsync(args);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    private static IReadOnlyDictionary<string, string> Selector(IReadOnlyList<Manifest> manifests, string component) =>
        Yaml.StringMap(ChartWorkloads.Workload(manifests, component).Root, "spec.selector.matchLabels");

    private static Dictionary<string, string> Decoded(Manifest secret) =>
        Yaml.StringMap(secret.Root, "data").ToDictionary(e => e.Key, e => Encoding.UTF8.GetString(Convert.FromBase64String(e.Value)));
}
