using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lamina.Testing;

namespace Lamina.Bench.Chaos;

/// <summary>
/// <c>make up</c>'s Lamina on the local cluster (release <c>lamina</c> in <c>lamina-system</c>, installed
/// by the chart): what the chaos scenario runs against and breaks. Everything goes through kubectl,
/// helm and the node's containerd (a process is SIGKILLed on the node, as the kernel's OOM killer or
/// a crash would, without the kubelet's SIGTERM first).
/// </summary>
internal sealed class ChaosRelease
{
    public const string ReleaseName = "lamina";
    public const string ReleaseNamespace = "lamina-system";

    /// <summary>The operator's Secret of gateway tokens (operator/Lamina.Operator/Access/InvokeTokenSecret).</summary>
    public const string TokenSecret = "lamina-invoke-token";

    /// <summary>Every helm upgrade waits for its pods; a rolling upgrade of every pod on 2 cores takes minutes.</summary>
    private static readonly TimeSpan HelmTimeout = TimeSpan.FromMinutes(6);

    private readonly LocalCluster _cluster;
    private readonly string _containerdSocket;
    private bool _installedHere;

    private ChaosRelease(LocalCluster cluster)
    {
        _cluster = cluster;
        var state = Environment.GetEnvironmentVariable("LAMINA_STATE") is { Length: > 0 } s ? s : "/var/lib/lamina/cluster";
        _containerdSocket = Path.Combine(state, "containerd", "run", "containerd.sock");
    }

    public LocalCluster Cluster => _cluster;

    public string Kubeconfig => _cluster.Layout.ClusterKubeconfig;

    /// <summary>Where the gateway Service answers this machine: its node port on 127.0.0.1, else its cluster IP (kube-proxy routes both).</summary>
    public Uri Gateway { get; private set; } = null!;

    public string KeyId { get; private set; } = "";

    public string KeySecret { get; private set; } = "";

    /// <summary>The operator's replicas as the scenario found them: 0 when make bench paused them, restored at the end.</summary>
    public int OperatorReplicasFound { get; private set; }

    /// <summary>The operator's replicas the release asks for (helm's computed values).</summary>
    public int OperatorReplicas { get; private set; }

    /// <summary>The namespace the release's operator manages (its watchNamespace), or null for every namespace.</summary>
    public string? WatchNamespace { get; private set; }

    /// <summary>
    /// The release, installed by <c>hack/up.sh</c> (make up) when it is not there yet, its operator
    /// resumed when make bench paused it, every pod ready.
    /// </summary>
    public static async Task<ChaosRelease> FindAsync(LocalCluster cluster, Action<string> say)
    {
        var release = new ChaosRelease(cluster);
        if ((await Helm.RunAsync(["status", ReleaseName, "-n", ReleaseNamespace, "--kubeconfig", release.Kubeconfig])).ExitCode != 0)
        {
            say($"chaos: no release {ReleaseName} in {ReleaseNamespace}: installing it with make up's script (hack/up.sh); its operator is paused after the run, as make bench and the e2e tier pause make up's (make up resumes it)");
            await RunAsync(Path.Combine(cluster.Layout.Root, "hack", "up.sh"), [], TimeSpan.FromMinutes(15));
            release._installedHere = true;
        }

        var values = await release.ValuesAsync(all: true);
        release.OperatorReplicas = values["operator"]?["replicas"]?.GetValue<int>() ?? 1;
        release.WatchNamespace = values["operator"]?["watchNamespace"]?.GetValue<string>() is { Length: > 0 } watched ? watched : null;
        release.OperatorReplicasFound = int.Parse(await release.KubectlAsync("get", "deploy", $"{ReleaseName}-operator", "-o", "jsonpath={.spec.replicas}"), CultureInfo.InvariantCulture);
        if (release.OperatorReplicasFound != release.OperatorReplicas)
        {
            say($"chaos: the release's operator runs {release.OperatorReplicasFound} replicas (make bench pauses it): scaled to the release's {release.OperatorReplicas} for the scenario");
            await release.ScaleOperatorAsync(release.OperatorReplicas);
        }

        await release.WaitForReleasePodsAsync(TimeSpan.FromMinutes(3));

        using var service = JsonDocument.Parse(await release.KubectlAsync("get", "service", $"{ReleaseName}-gateway", "-o", "json"));
        var spec = service.RootElement.GetProperty("spec");
        var port = spec.GetProperty("ports")[0];
        release.Gateway = spec.GetProperty("type").GetString() == "NodePort"
            ? new Uri($"http://127.0.0.1:{port.GetProperty("nodePort").GetInt32()}")
            : new Uri($"http://{spec.GetProperty("clusterIP").GetString()}:{port.GetProperty("port").GetInt32()}");

        using var keys = JsonDocument.Parse(await release.KubectlAsync("get", "secret", "-l", "lamina.dev/access-key=true", "-o", "json"));
        var key = keys.RootElement.GetProperty("items").EnumerateArray().FirstOrDefault();
        if (key.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException($"the release made no access-key Secret in {ReleaseNamespace} (auth.accessKey.create=true: make up sets it)");
        }

        release.KeyId = Decode(key.GetProperty("data").GetProperty("accessKeyId"));
        release.KeySecret = Decode(key.GetProperty("data").GetProperty("secretAccessKey"));
        return release;
    }

    /// <summary>
    /// Back as found: the operator paused again when make bench had paused it, and paused when this
    /// scenario installed the release (its operator watches every namespace: left running, it would
    /// reconcile the Functions of the tests and scenarios that run their own operator next).
    /// </summary>
    public async Task RestoreAsync()
    {
        if (_installedHere)
        {
            await ScaleOperatorAsync(0);
        }
        else if (OperatorReplicasFound != OperatorReplicas)
        {
            await ScaleOperatorAsync(OperatorReplicasFound);
        }
    }

    /// <summary>kubectl in the release's namespace; its output.</summary>
    public Task<string> KubectlAsync(params string[] arguments) => _cluster.Kubectl.RunAsync(null, ["-n", ReleaseNamespace, .. arguments]);

    /// <summary>kubectl without a namespace (it is in <paramref name="arguments"/>).</summary>
    public Task<string> KubectlAnywhereAsync(params string[] arguments) => _cluster.Kubectl.RunAsync(null, arguments);

    /// <summary>The release's values: what was set (<c>helm get values</c>), or with <paramref name="all"/> every computed value.</summary>
    public async Task<JsonObject> ValuesAsync(bool all)
    {
        string[] arguments = ["get", "values", ReleaseName, "-n", ReleaseNamespace, "--kubeconfig", Kubeconfig, "-o", "json"];
        var json = await Helm.RunCheckedAsync(all ? [.. arguments, "--all"] : arguments);
        return JsonNode.Parse(json) as JsonObject ?? [];
    }

    /// <summary><c>helm upgrade</c> of the worktree's chart with the values the release has, and <paramref name="overrides"/>; waits for every pod.</summary>
    public async Task UpgradeAsync(IReadOnlyList<string> overrides)
    {
        var valuesFile = Path.Combine(Path.GetTempPath(), $"lamina-chaos-values-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(valuesFile, (await ValuesAsync(all: false)).ToJsonString());
        try
        {
            await Helm.RunCheckedAsync(
                [
                    "upgrade", ReleaseName, Path.Combine(_cluster.Layout.Root, "charts", "lamina"), "-n", ReleaseNamespace, "--kubeconfig", Kubeconfig,
                    "-f", valuesFile, .. overrides, "--wait", "--timeout", "5m",
                ],
                timeout: HelmTimeout);
        }
        finally
        {
            File.Delete(valuesFile);
        }
    }

    /// <summary>The images of a component's pods (component label: operator, gateway, redis).</summary>
    public async Task<string> ImageOfAsync(string component)
    {
        var images = await KubectlAsync("get", "pods", "-l", $"app.kubernetes.io/component={component}", "-o", "jsonpath={.items[*].spec.containers[0].image}");
        return images.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? throw new InvalidOperationException($"no {component} pod in {ReleaseNamespace}");
    }

    /// <summary>Names <paramref name="source"/>'s image content also <paramref name="target"/> in the node's containerd (the same bytes under a new reference).</summary>
    public Task TagImageAsync(string source, string target) =>
        RunAsync("ctr", ["--address", _containerdSocket, "--namespace", "k8s.io", "images", "tag", "--force", source, target], TimeSpan.FromMinutes(1));

    /// <summary>The release's pods of <paramref name="component"/>: name, IP, ready, restarts, the first container's id.</summary>
    public async Task<IReadOnlyList<PodInfo>> PodsAsync(string component) => Parse(await KubectlAsync("get", "pods", "-l", $"app.kubernetes.io/component={component}", "-o", "json"));

    /// <summary>Pods of <paramref name="ns"/> matching <paramref name="selector"/>.</summary>
    public async Task<IReadOnlyList<PodInfo>> PodsAsync(string ns, string selector) => Parse(await KubectlAnywhereAsync("get", "pods", "-n", ns, "-l", selector, "-o", "json"));

    /// <summary>The operator replica holding the leader-election Lease (its holderIdentity starts with the pod's name), or null.</summary>
    public async Task<string?> LeaderPodAsync()
    {
        var holder = await KubectlAsync("get", "lease", $"{ReleaseName}-operator", "-o", "jsonpath={.spec.holderIdentity}");
        var separator = holder.IndexOf('_', StringComparison.Ordinal);
        return separator > 0 ? holder[..separator] : null;
    }

    /// <summary>SIGKILL to the main process of <paramref name="pod"/>'s first container, on the node (the kubelet then restarts the container).</summary>
    public async Task KillAsync(PodInfo pod)
    {
        var id = pod.ContainerId ?? throw new InvalidOperationException($"{pod.Name} has no running container");
        var tasks = await RunAsync("ctr", ["--address", _containerdSocket, "--namespace", "k8s.io", "tasks", "ls"], TimeSpan.FromSeconds(30));
        var line = tasks.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).FirstOrDefault(f => f.Length >= 2 && f[0] == id)
            ?? throw new InvalidOperationException($"containerd runs no task {id} ({pod.Name})");
        using var process = Process.GetProcessById(int.Parse(line[1], CultureInfo.InvariantCulture));
        process.Kill(); // SIGKILL on Linux
    }

    /// <summary>The memory a pod's cgroup charges now (what its limit is enforced against), read on the node; null when not found.</summary>
    public static long? MemoryOf(string podUid)
    {
        foreach (var file in CgroupMemoryFiles(podUid))
        {
            if (File.Exists(file) && long.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
            {
                return bytes;
            }
        }

        return null;
    }

    /// <summary>Scales the operator and waits for its pods to be ready (or gone).</summary>
    public async Task ScaleOperatorAsync(int replicas)
    {
        await KubectlAsync("scale", $"deploy/{ReleaseName}-operator", $"--replicas={replicas}");
        await Eventually.HoldsAsync(
            async () =>
            {
                var pods = await PodsAsync("operator");
                return pods.Count(p => p.Ready && !p.Terminating) == replicas && pods.Count == replicas;
            },
            TimeSpan.FromMinutes(3),
            $"{replicas} operator pods ready");
    }

    /// <summary>Every pod of the release ready, none terminating.</summary>
    public Task WaitForReleasePodsAsync(TimeSpan timeout) =>
        Eventually.HoldsAsync(
            async () =>
            {
                var pods = Parse(await KubectlAsync("get", "pods", "-o", "json"));
                return pods.Count > 0 && pods.All(p => p.Ready && !p.Terminating);
            },
            timeout,
            $"every pod of {ReleaseNamespace} ready");

    /// <summary>The token Secret's <c>data</c>, as JSON.</summary>
    public async Task<string> TokenDataAsync() => await KubectlAsync("get", "secret", TokenSecret, "-o", "jsonpath={.data}");

    /// <summary>Replaces the token Secret's <c>data</c> with <paramref name="dataJson"/> (<c>{"tokens":""}</c> empties it).</summary>
    public Task SetTokenDataAsync(string dataJson) =>
        KubectlAsync("patch", "secret", TokenSecret, "--type=json", "-p", $$"""[{"op":"replace","path":"/data","value":{{dataJson}}}]""");

    private static IEnumerable<string> CgroupMemoryFiles(string podUid)
    {
        // cgroup v2 (memory.current) or v1 (memory.usage_in_bytes), cgroupfs or systemd naming, any QoS class.
        var systemdUid = podUid.Replace('-', '_');
        foreach (var qos in new[] { "", "burstable/", "besteffort/" })
        {
            yield return $"/sys/fs/cgroup/kubepods/{qos}pod{podUid}/memory.current";
            yield return $"/sys/fs/cgroup/memory/kubepods/{qos}pod{podUid}/memory.usage_in_bytes";
            var slice = qos.Length == 0 ? "" : $"kubepods-{qos.TrimEnd('/')}.slice/";
            var leaf = qos.Length == 0 ? $"kubepods-pod{systemdUid}.slice" : $"kubepods-{qos.TrimEnd('/')}-pod{systemdUid}.slice";
            yield return $"/sys/fs/cgroup/kubepods.slice/{slice}{leaf}/memory.current";
            yield return $"/sys/fs/cgroup/memory/kubepods.slice/{slice}{leaf}/memory.usage_in_bytes";
        }
    }

    private static IReadOnlyList<PodInfo> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var pods = new List<PodInfo>();
        foreach (var pod in document.RootElement.GetProperty("items").EnumerateArray())
        {
            var metadata = pod.GetProperty("metadata");
            var status = pod.GetProperty("status");
            var ready = status.TryGetProperty("conditions", out var conditions)
                && conditions.EnumerateArray().Any(c => c.GetProperty("type").GetString() == "Ready" && c.GetProperty("status").GetString() == "True");
            string? containerId = null;
            var restarts = 0;
            if (status.TryGetProperty("containerStatuses", out var containers) && containers.GetArrayLength() > 0)
            {
                var container = containers[0];
                restarts = container.GetProperty("restartCount").GetInt32();
                if (container.TryGetProperty("containerID", out var cid) && cid.GetString() is { } full)
                {
                    containerId = full[(full.IndexOf("://", StringComparison.Ordinal) + 3)..];
                }
            }

            pods.Add(new PodInfo(
                metadata.GetProperty("name").GetString()!,
                metadata.GetProperty("uid").GetString()!,
                status.TryGetProperty("podIP", out var ip) ? ip.GetString() : null,
                ready,
                metadata.TryGetProperty("deletionTimestamp", out _),
                restarts,
                containerId));
        }

        return pods;
    }

    private static string Decode(JsonElement base64) => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64.GetString()!));

    private static async Task<string> RunAsync(string program, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:F0} s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }
}

