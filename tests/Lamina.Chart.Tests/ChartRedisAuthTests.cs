using System.Text;
using Lamina.Testing;

namespace Lamina.Chart.Tests;

/// <summary>
/// The async queue's secrets: Redis requires a generated password, which reaches Redis as a
/// configuration file and the gateways and probes through secretKeyRefs (never an argument, a literal
/// value or a ConfigMap), and every gateway gets the same event signing key.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ChartRedisAuthTests
{
    private const string SecretName = "lamina-async";

    [Fact]
    public async Task Render_Defaults_GeneratedPasswordAndSigningKeyInOneSecret()
    {
        var manifests = await ChartRender.RenderAsync(ChartRender.Kube120);

        var data = Decoded(Assert.Single(manifests, m => m.Kind == "Secret" && m.Name == SecretName));
        Assert.Matches("^[A-Za-z0-9]{40}$", data["redisPassword"]);
        Assert.Matches("^[A-Za-z0-9]{48}$", data["eventSigningKey"]);
        Assert.Contains($"requirepass \"{data["redisPassword"]}\"\n", data["redis-auth.conf"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_Defaults_RedisReadsThePasswordFromAFileAndProbesAuthenticate()
    {
        var manifests = await ChartRender.RenderAsync(ChartRender.Kube120);
        var redis = ChartWorkloads.Container(manifests, "redis");
        var args = Yaml.List(redis, "args").Cast<string>().ToList();

        // redis-server's first argument is its configuration file.
        Assert.Equal("/etc/lamina-redis/redis-auth.conf", args[0]);
        Assert.Equal("yes", args[args.IndexOf("--protected-mode") + 1]);
        Assert.DoesNotContain("--requirepass", args);
        var mount = Yaml.Maps(redis, "volumeMounts").Single(m => Yaml.Str(m, "mountPath") == "/etc/lamina-redis");
        Assert.Equal("true", Yaml.Str(mount, "readOnly"));
        var volume = Yaml.Maps(ChartWorkloads.Workload(manifests, "redis").Root, "spec.template.spec.volumes").Single(v => Yaml.Str(v, "name") == Yaml.Str(mount, "name"));
        Assert.Equal(SecretName, Yaml.Str(volume, "secret.secretName"));
        AssertFromSecret(redis, "REDISCLI_AUTH", "redisPassword");
    }

    [Fact]
    public async Task Render_Defaults_GatewayGetsPasswordAndKeyFromTheSecretOnly()
    {
        var manifests = await ChartRender.RenderAsync(ChartRender.Kube120);
        var gateway = ChartWorkloads.Container(manifests, "gateway");

        AssertFromSecret(gateway, "Lamina__Gateway__Async__RedisPassword", "redisPassword");
        AssertFromSecret(gateway, "Lamina__Gateway__Async__EventSigningKey", "eventSigningKey");
        Assert.DoesNotContain(",password=", Yaml.Env(gateway, "Lamina__Gateway__Async__Redis"), StringComparison.Ordinal);

        // Neither secret appears anywhere else in the render: not in an argument, a value or a ConfigMap.
        var secrets = Decoded(manifests.Single(m => m.Kind == "Secret" && m.Name == SecretName));
        var others = manifests.Where(m => m.Kind != "Secret").ToList();
        Assert.NotEmpty(others);
        var text = string.Join('\n', others.Select(m => new YamlDotNet.Serialization.SerializerBuilder().Build().Serialize(m.Root)));
        Assert.DoesNotContain(secrets["redisPassword"], text, StringComparison.Ordinal);
        Assert.DoesNotContain(secrets["eventSigningKey"], text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_Secret_ReadsGeneratedValuesBackOnUpgrade()
    {
        // helm template cannot look up; the template must, or an upgrade would change the password under
        // a running Redis and the key under stored events.
        var template = await File.ReadAllTextAsync(Path.Combine(ChartRender.ChartPath, "templates", "async-secret.yaml"));

        Assert.Contains("lookup \"v1\" \"Secret\" .Release.Namespace $name", template, StringComparison.Ordinal);
        Assert.Contains("get $existing \"redisPassword\"", template, StringComparison.Ordinal);
        Assert.Contains("get $existing \"eventSigningKey\"", template, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_SuppliedValues_Used()
    {
        var key = new string('k', 32);
        var manifests = await ChartRender.RenderAsync("--set", "redis.auth.password=supplied-password", "--set", $"async.eventSigningKey={key}");

        var data = Decoded(manifests.Single(m => m.Kind == "Secret" && m.Name == SecretName));
        Assert.Equal("supplied-password", data["redisPassword"]);
        Assert.Equal(key, data["eventSigningKey"]);
    }

    [Fact]
    public async Task Render_AuthOff_NoPasswordAndProtectedModeOff()
    {
        var manifests = await ChartRender.RenderAsync("--set", "redis.auth.enabled=false");
        var redis = ChartWorkloads.Container(manifests, "redis");
        var args = Yaml.List(redis, "args").Cast<string>().ToList();

        Assert.Equal("--port", args[0]);
        Assert.Equal("no", args[args.IndexOf("--protected-mode") + 1]);
        Assert.Null(Yaml.Env(redis, "REDISCLI_AUTH"));
        Assert.DoesNotContain("redisPassword", Decoded(manifests.Single(m => m.Kind == "Secret" && m.Name == SecretName)).Keys);
        Assert.Null(Yaml.Env(ChartWorkloads.Container(manifests, "gateway"), "Lamina__Gateway__Async__RedisPassword"));
        AssertFromSecret(ChartWorkloads.Container(manifests, "gateway"), "Lamina__Gateway__Async__EventSigningKey", "eventSigningKey");
    }

    [Fact]
    public async Task Render_ExternalRedis_SigningKeyButNoPasswordOfOurs()
    {
        var manifests = await ChartRender.RenderAsync("--set", "redis.enabled=false", "--set", "async.redis=redis.example.com:6380\\,ssl=true");
        var gateway = ChartWorkloads.Container(manifests, "gateway");

        Assert.Equal(["eventSigningKey"], Decoded(manifests.Single(m => m.Kind == "Secret" && m.Name == SecretName)).Keys);
        Assert.Null(Yaml.Env(gateway, "Lamina__Gateway__Async__RedisPassword"));
        AssertFromSecret(gateway, "Lamina__Gateway__Async__EventSigningKey", "eventSigningKey");
    }

    [Fact]
    public async Task Render_AsyncOff_NoAsyncSecret()
    {
        Assert.DoesNotContain(await ChartRender.RenderAsync("--set", "async.enabled=false"), m => m.Kind == "Secret" && m.Name == SecretName);
    }

    [Theory]
    [InlineData("async.eventSigningKey=short", "eventSigningKey")]
    [InlineData("redis.auth.password=with space", "password")]
    public async Task Template_BadSecretValues_FailNamingThem(string set, string key)
    {
        var result = await ChartRender.TryRenderAsync("--set", set);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(key, result.Stderr, StringComparison.Ordinal);
    }

    private static void AssertFromSecret(Dictionary<object, object> container, string variable, string key)
    {
        var env = Yaml.Maps(container, "env").Single(e => Yaml.Str(e, "name") == variable);
        Assert.Null(Yaml.Str(env, "value"));
        Assert.Equal(SecretName, Yaml.Str(env, "valueFrom.secretKeyRef.name"));
        Assert.Equal(key, Yaml.Str(env, "valueFrom.secretKeyRef.key"));
    }

    private static Dictionary<string, string> Decoded(Manifest secret) =>
        Yaml.StringMap(secret.Root, "data").ToDictionary(e => e.Key, e => Encoding.UTF8.GetString(Convert.FromBase64String(e.Value)));
}
