using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Lamina.Testing;

namespace Lamina.EndToEnd.Tests.Chart;

/// <summary>
/// A release of charts/lamina on the local cluster, installed with the pinned Helm as an admin would
/// install it, in a namespace of its own, its operator watching one functions namespace of its own
/// (so that it never manages other tests' Functions, nor they its). The access key is the chart's,
/// with a known id and secret.
/// </summary>
internal sealed class ChartRelease
{
    public const string KeyId = "AKIALAMINACHARTE2E01";
    public const string Secret = "chart/e2e/secret/key/for/the/gateway/000";

    /// <summary>Installs and upgrades wait for every pod; a cold cluster pulls nothing but starts several.</summary>
    private static readonly TimeSpan HelmTimeout = TimeSpan.FromMinutes(6);

    private readonly LocalCluster _cluster;

    private ChartRelease(LocalCluster cluster, string name, string ns, string functions)
    {
        _cluster = cluster;
        Name = name;
        Namespace = ns;
        FunctionsNamespace = functions;
    }

    public string Name { get; }

    /// <summary>The release's namespace: operator, gateway, Redis, lease, access key.</summary>
    public string Namespace { get; }

    /// <summary>The one namespace the release's operator manages Functions in.</summary>
    public string FunctionsNamespace { get; }

    /// <summary>Names the release and creates its two namespaces (installing nothing yet).</summary>
    public static async Task<ChartRelease> CreateAsync(LocalCluster cluster, string prefix)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var stamp = DateTime.UtcNow.ToString("HHmmssfff", CultureInfo.InvariantCulture);
        var release = new ChartRelease(cluster, $"{prefix}{stamp}", $"{prefix}{stamp}", $"{prefix}fn-{stamp}");
        await cluster.Kubectl.RunAsync(null, "apply", "-f", Path.Combine(cluster.Layout.Root, "crds"));
        await cluster.Kubectl.RunAsync(null, "wait", "--for=condition=Established", "crd/functions.lamina.dev", "--timeout=60s");
        await cluster.Kubectl.RunAsync(null, "create", "namespace", release.Namespace);
        await cluster.Kubectl.RunAsync(null, "create", "namespace", release.FunctionsNamespace);
        return release;
    }

    /// <summary>
    /// The values every install of this release gets: its functions namespace, the imported images
    /// (never pulled), Redis without a volume claim (the node has no provisioner), the known key.
    /// </summary>
    public IEnumerable<string> BaseValues() =>
    [
        // Objects named <release>-gateway and so on, not <release>-lamina-gateway.
        "--set", $"fullnameOverride={Name}",
        "--set", $"operator.watchNamespace={FunctionsNamespace}",
        "--set", "operator.functionImagePullPolicy=Never",
        "--set", "image.pullPolicy=Never",
        "--set", "redis.persistence.enabled=false",
        "--set", "auth.accessKey.create=true",
        "--set", $"auth.accessKey.accessKeyId={KeyId}",
        "--set", $"auth.accessKey.secretAccessKey={Secret}",
        "--set", $"auth.accessKey.namespaces={FunctionsNamespace}",
        "--set", $"auth.accessKey.defaultNamespace={FunctionsNamespace}",
    ];

    /// <summary>
    /// The current chart's value that names the gateway's code endpoint by its Service's variables: the
    /// local cluster has no DNS for function pods to find it by name (values.yaml, operator.codeEndpoint).
    /// </summary>
    public string[] CodeEndpointValues()
    {
        var variable = $"{Name}-gateway".ToUpperInvariant().Replace('-', '_');
        return ["--set-string", $"operator.codeEndpoint=http://$({variable}_SERVICE_HOST):$({variable}_SERVICE_PORT_CODE)"];
    }

    /// <summary><c>helm upgrade --install</c> of <paramref name="chart"/> with the values given, waiting for every pod; helm's output.</summary>
    public Task<string> UpgradeAsync(string chart, params string[] values) =>
        Helm.RunCheckedAsync(
            [
                "upgrade", "--install", Name, chart, "--namespace", Namespace, "--kubeconfig", _cluster.Layout.ClusterKubeconfig,
                "--wait", "--timeout", "5m", .. BaseValues(), .. values,
            ],
            timeout: HelmTimeout);

    /// <summary><c>helm uninstall</c>, waiting until its objects are gone.</summary>
    public Task<string> UninstallAsync() =>
        Helm.RunCheckedAsync(["uninstall", Name, "--namespace", Namespace, "--kubeconfig", _cluster.Layout.ClusterKubeconfig, "--wait"], timeout: HelmTimeout);

    /// <summary>The release's revision and status from <c>helm status</c>.</summary>
    public async Task<(int Revision, string Status)> StatusAsync()
    {
        var json = await Helm.RunCheckedAsync(["status", Name, "--namespace", Namespace, "--kubeconfig", _cluster.Layout.ClusterKubeconfig, "-o", "json"]);
        using var status = JsonDocument.Parse(json);
        return (status.RootElement.GetProperty("version").GetInt32(), status.RootElement.GetProperty("info").GetProperty("status").GetString()!);
    }

    /// <summary>The gateway's Service address, which the node reaches through kube-proxy.</summary>
    public async Task<Uri> GatewayAsync()
    {
        var address = await _cluster.Kubectl.RunAsync(null, "get", "service", $"{Name}-gateway", "-n", Namespace, "-o", "jsonpath={.spec.clusterIP}:{.spec.ports[0].port}");
        return new Uri($"http://{address.Trim()}");
    }

    /// <summary>AWS clients signing with the release's access key, through its gateway Service.</summary>
    public async Task<AwsClients> ClientsAsync() => new(await GatewayAsync(), KeyId, Secret);

    /// <summary>
    /// The chart as it was at <paramref name="commit"/> (the previous version an upgrade starts from),
    /// written to a new temporary folder by <c>git archive</c>.
    /// </summary>
    public static async Task<string> ChartAtAsync(string root, string commit)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"lamina-chart-{commit[..12]}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var archive = Path.Combine(folder, "chart.tar");
        await RunAsync("git", root, "archive", "--format=tar", "-o", archive, commit, "charts/lamina");
        await RunAsync("tar", folder, "-xf", archive);
        return Path.Combine(folder, "charts", "lamina");
    }

    private static async Task RunAsync(string program, string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}");
        }
    }

    /// <summary>Deletes both namespaces (and so whatever the release left in them).</summary>
    public async Task DeleteNamespacesAsync()
    {
        await _cluster.Kubectl.RunAsync(null, "delete", "namespace", FunctionsNamespace, "--wait=false", "--ignore-not-found");
        await _cluster.Kubectl.RunAsync(null, "delete", "namespace", Namespace, "--wait=false", "--ignore-not-found");
    }
}
