using Lamina.Testing;

namespace Lamina.Chart.Tests;

/// <summary>Redis for async invocations: the chart's StatefulSet, an external Redis, or none.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ChartAsyncTests
{
    private static bool IsRedis(Manifest m) => Yaml.StringMap(m.Root, "metadata.labels").GetValueOrDefault("app.kubernetes.io/component") == "redis";

    [Fact]
    public async Task Render_Defaults_RedisStatefulSetWithDurableSettings()
    {
        var manifests = await ChartRender.RenderAsync(ChartRender.Kube120);
        var redis = ChartWorkloads.Workload(manifests, "redis");
        Assert.Equal("StatefulSet", redis.Kind);
        var args = Yaml.List(ChartWorkloads.Container(manifests, "redis"), "args").Cast<string>().ToList();
        foreach (var (flag, value) in new[] { ("--appendonly", "yes"), ("--appendfsync", "always"), ("--maxmemory-policy", "noeviction"), ("--save", ""), ("--dir", "/data") })
        {
            var at = args.IndexOf(flag);
            Assert.True(at >= 0 && args[at + 1] == value, $"redis-server {flag} {value} missing: {string.Join(' ', args)}");
        }

        // The StatefulSet's headless Service, and the virtual IP the gateway dials (by the Service
        // variables, which need no cluster DNS).
        var services = manifests.Where(m => m.Kind == "Service" && IsRedis(m)).ToList();
        Assert.Equal(2, services.Count);
        var headless = Assert.Single(services, s => Yaml.Str(s.Root, "spec.clusterIP") == "None");
        Assert.Equal(headless.Name, Yaml.Str(redis.Root, "spec.serviceName"));
        var client = Assert.Single(services, s => Yaml.Str(s.Root, "spec.type") == "ClusterIP");
        Assert.Equal("lamina-redis-client", client.Name);
        var claim = Assert.Single(Yaml.Maps(redis.Root, "spec.volumeClaimTemplates"));
        Assert.Equal("1Gi", Yaml.Str(claim, "spec.resources.requests.storage"));
        Assert.Null(Yaml.At(claim, "spec.storageClassName"));
        Assert.Equal("$(LAMINA_REDIS_CLIENT_SERVICE_HOST):$(LAMINA_REDIS_CLIENT_SERVICE_PORT)", Yaml.Env(ChartWorkloads.Container(manifests, "gateway"), "Lamina__Gateway__Async__Redis"));
    }

    [Theory]
    [InlineData("512Mi", "429496729")]
    [InlineData("1Gi", "858993459")]
    [InlineData("600M", "480000000")]
    public async Task Render_NoMaxmemory_EightyPercentOfTheMemoryLimit(string limit, string maxmemory)
    {
        var manifests = await ChartRender.RenderAsync("--set", $"redis.resources.limits.memory={limit}");
        var args = Yaml.List(ChartWorkloads.Container(manifests, "redis"), "args").Cast<string>().ToList();

        Assert.Equal(maxmemory, args[args.IndexOf("--maxmemory") + 1]);
        Assert.Equal("noeviction", args[args.IndexOf("--maxmemory-policy") + 1]);
    }

    [Fact]
    public async Task Render_MaxmemorySet_ItWins()
    {
        var args = Yaml.List(ChartWorkloads.Container(await ChartRender.NamedAsync("full@1.20"), "redis"), "args").Cast<string>().ToList();

        Assert.Equal("400mb", args[args.IndexOf("--maxmemory") + 1]);
    }

    [Fact]
    public async Task Render_NoLimitNoMaxmemory_FailsWithAMessage()
    {
        var result = await ChartRender.TryRenderAsync("--set", "redis.resources.limits.memory=0.5Gi");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("memory ceiling", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_Defaults_StartupProbeCoversTheAofLoadBeforeLiveness()
    {
        var redis = ChartWorkloads.Container(await ChartRender.RenderAsync(ChartRender.Kube120), "redis");

        Assert.Equal(Yaml.List(redis, "livenessProbe.exec.command"), Yaml.List(redis, "startupProbe.exec.command"));
        var budget = int.Parse(Yaml.Str(redis, "startupProbe.periodSeconds")!, System.Globalization.CultureInfo.InvariantCulture)
            * int.Parse(Yaml.Str(redis, "startupProbe.failureThreshold")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(budget >= 600, $"the startup probe allows {budget} s");
    }

    [Fact]
    public async Task Render_DurabilityValues_ReachTheGateway()
    {
        var defaults = ChartWorkloads.Container(await ChartRender.RenderAsync(ChartRender.Kube120), "gateway");
        Assert.Null(Yaml.Env(defaults, "Lamina__Gateway__Async__RequireDurableRedis"));
        Assert.Null(Yaml.Env(defaults, "Lamina__Gateway__Async__MinReplicas"));

        var set = ChartWorkloads.Container(await ChartRender.RenderAsync("--set", "async.requireDurableRedis=false", "--set", "async.minReplicas=1", "--set", "async.deadLetterRetention=3.00:00:00"), "gateway");
        Assert.Equal("false", Yaml.Env(set, "Lamina__Gateway__Async__RequireDurableRedis"));
        Assert.Equal("1", Yaml.Env(set, "Lamina__Gateway__Async__MinReplicas"));
    }

    [Fact]
    public async Task Render_WorkerValues_ReachTheWorkers()
    {
        var defaults = await ChartRender.RenderAsync(ChartRender.Kube120);
        var worker = ChartWorkloads.Container(defaults, "worker");
        var gateway = ChartWorkloads.Container(defaults, "gateway");
        Assert.Equal(["worker", "--urls", "http://0.0.0.0:8080"], Yaml.List(worker, "args").Cast<string>());
        Assert.Equal(Yaml.Str(gateway, "image"), Yaml.Str(worker, "image"));
        Assert.Equal("2", Yaml.Str(ChartWorkloads.Workload(defaults, "worker").Root, "spec.replicas"));
        Assert.Equal("14.00:00:00", Yaml.Env(worker, "Lamina__Gateway__Async__DeadLetterRetention"));
        Assert.Equal("64", Yaml.Env(worker, "Lamina__Gateway__Async__MaxConcurrency"));
        Assert.Equal("0:00:25", Yaml.Env(worker, "Lamina__Gateway__Shutdown__Timeout"));
        Assert.Equal("0:00:00", Yaml.Env(worker, "Lamina__Gateway__Shutdown__DrainDelay"));
        foreach (var shared in new[] { "Lamina__Gateway__Async__Redis", "Lamina__Gateway__Controller__LeaseName", "Lamina__Gateway__Controller__LeaseNamespace", "Lamina__Gateway__AccountId" })
        {
            Assert.Equal(Yaml.Env(gateway, shared), Yaml.Env(worker, shared));
        }

        // The gateway stores events and runs none: what only running needs is the workers'.
        Assert.Null(Yaml.Env(gateway, "Lamina__Gateway__Async__MaxConcurrency"));
        Assert.Null(Yaml.Env(gateway, "Lamina__Gateway__Async__DeadLetterRetention"));
        Assert.Null(Yaml.Env(worker, "Lamina__Gateway__Auth__AccessKeyNamespace"));

        var set = await ChartRender.RenderAsync("--set", "async.deadLetterRetention=3.00:00:00", "--set", "async.maxConcurrency=8", "--set", "worker.replicas=5", "--set", "worker.terminationGracePeriodSeconds=125");
        var setWorker = ChartWorkloads.Container(set, "worker");
        Assert.Equal("3.00:00:00", Yaml.Env(setWorker, "Lamina__Gateway__Async__DeadLetterRetention"));
        Assert.Equal("8", Yaml.Env(setWorker, "Lamina__Gateway__Async__MaxConcurrency"));
        Assert.Equal("0:02:00", Yaml.Env(setWorker, "Lamina__Gateway__Shutdown__Timeout"));
        Assert.Equal("5", Yaml.Str(ChartWorkloads.Workload(set, "worker").Root, "spec.replicas"));
        Assert.Equal("125", Yaml.Str(ChartWorkloads.Workload(set, "worker").Root, "spec.template.spec.terminationGracePeriodSeconds"));
    }

    [Theory]
    [InlineData("async.enabled=false")]
    [InlineData("worker.enabled=false")]
    public async Task Render_AsyncOrWorkersOff_NoWorkerObjects(string setting)
    {
        var manifests = await ChartRender.RenderAsync("--set", setting);

        Assert.DoesNotContain(manifests, m => Yaml.StringMap(m.Root, "metadata.labels").GetValueOrDefault("app.kubernetes.io/component") == "worker");
    }

    [Fact]
    public async Task Render_WorkerGracePeriodTooShort_Refused()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ChartRender.RenderAsync("--set", "worker.terminationGracePeriodSeconds=7"));

        Assert.Contains("worker.terminationGracePeriodSeconds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_PersistenceOff_EmptyDirData()
    {
        var manifests = await ChartRender.RenderAsync("--set", "redis.persistence.enabled=false");
        var redis = ChartWorkloads.Workload(manifests, "redis");
        Assert.Empty(Yaml.List(redis.Root, "spec.volumeClaimTemplates"));
        var data = Yaml.Maps(redis.Root, "spec.template.spec.volumes").Single(v => Yaml.Str(v, "name") == "data");
        Assert.NotNull(Yaml.At(data, "emptyDir"));
    }

    [Fact]
    public async Task Render_FullValues_StorageClassAndSize()
    {
        var redis = ChartWorkloads.Workload(await ChartRender.NamedAsync("full@1.20"), "redis");
        var claim = Assert.Single(Yaml.Maps(redis.Root, "spec.volumeClaimTemplates"));
        Assert.Equal("fast-ssd", Yaml.Str(claim, "spec.storageClassName"));
        Assert.Equal("5Gi", Yaml.Str(claim, "spec.resources.requests.storage"));
    }

    [Fact]
    public async Task Render_ExternalRedis_NoRedisObjectsAndGatewayUsesIt()
    {
        var manifests = await ChartRender.RenderAsync("--set", "redis.enabled=false", "--set", "async.redis=redis.example.com:6380", "--set", "networkPolicy.enabled=true");
        Assert.DoesNotContain(manifests, IsRedis);
        Assert.Equal("redis.example.com:6380", Yaml.Env(ChartWorkloads.Container(manifests, "gateway"), "Lamina__Gateway__Async__Redis"));
    }

    [Fact]
    public async Task Render_ExternalRedisFromSecret_GatewayReadsTheSecret()
    {
        var manifests = await ChartRender.RenderAsync("--set", "redis.enabled=false", "--set", "async.redisSecret.name=redis-url");
        Assert.DoesNotContain(manifests, IsRedis);
        var variable = Yaml.Maps(ChartWorkloads.Container(manifests, "gateway"), "env").Single(e => Yaml.Str(e, "name") == "Lamina__Gateway__Async__Redis");
        Assert.Equal("redis-url", Yaml.Str(variable, "valueFrom.secretKeyRef.name"));
        Assert.Equal("redis", Yaml.Str(variable, "valueFrom.secretKeyRef.key"));
    }

    [Fact]
    public async Task Render_AsyncOff_NoRedisAndNoRedisSetting()
    {
        // Without a Redis setting the gateway serves synchronous invocations and refuses Event ones with 400.
        var manifests = await ChartRender.RenderAsync("--set", "async.enabled=false");
        Assert.DoesNotContain(manifests, IsRedis);
        Assert.DoesNotContain(Yaml.Maps(ChartWorkloads.Container(manifests, "gateway"), "env"), e => Yaml.Str(e, "name")!.StartsWith("Lamina__Gateway__Async__", StringComparison.Ordinal));
    }
}
