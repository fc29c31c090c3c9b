using System.Text.Json;
using k8s.Models;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Informers;
using Lamina.Testing;

namespace Lamina.EndToEnd.Tests.Chart;

/// <summary>
/// Lamina as an admin installs it: the chart's previous version first, then upgraded to this one
/// (two gateway replicas, Redis for async), with a real Prometheus server scraping the gateways, the
/// operator and the function pods' shims as the chart's ServiceMonitors and PodMonitor would.
/// Shared by every test of <see cref="ChartInstalledTests"/>.
/// </summary>
public sealed class ChartInstallation : IAsyncLifetime
{
    /// <summary>
    /// The chart an upgrade starts from: its first commit (version 0.1.0, unreleased), until a
    /// released version exists to pin here instead.
    /// </summary>
    public const string PreviousChart = "31ac1ccea6c14a4a924e328cf2b4076127d76431";

    /// <summary>Prometheus scrapes this often, so a test waits seconds, not a minute, for a new sample.</summary>
    private static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(1);

    private readonly string _targets = Path.Combine(Path.GetTempPath(), $"lamina-e2e-targets-{Guid.NewGuid():N}");
    private readonly CancellationTokenSource _stop = new();
    private Task? _discovery;

    public LocalCluster Cluster { get; } = new();

    internal ChartRelease Release { get; private set; } = null!;

    public PrometheusServer Prometheus { get; private set; } = null!;

    public AwsClients Aws { get; private set; } = null!;

    /// <summary>What <c>helm upgrade</c> from the previous chart printed.</summary>
    public string UpgradeOutput { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Release = await ChartRelease.CreateAsync(Cluster, "e2e-chart-");
        var previous = await ChartRelease.ChartAtAsync(Cluster.Layout.Root, PreviousChart);
        try
        {
            // The first chart runs today's images (both are tagged :dev), and today's operator watches
            // code ConfigMaps (issue 21), which that chart's Role does not allow: its informer would
            // never sync, nor the operator become ready. What the new chart's Role grants, granted here.
            await Cluster.Kubectl.RunAsync($$"""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: { name: previous-chart-code-configmaps, namespace: {{Release.FunctionsNamespace}} }
                rules: [{ apiGroups: [""], resources: [configmaps], verbs: [list, watch] }]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: { name: previous-chart-code-configmaps, namespace: {{Release.FunctionsNamespace}} }
                roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: previous-chart-code-configmaps }
                subjects: [{ kind: ServiceAccount, name: {{Release.Name}}-operator, namespace: {{Release.Namespace}} }]
                """, "apply", "-f", "-");
            // The first chart reached Redis by its DNS name, which this cluster (no DNS) cannot resolve:
            // it is installed without async, as its users on such a cluster would have had to.
            await Release.UpgradeAsync(previous, "--set", "crds.install=false", "--set", "async.enabled=false", "--set", "gateway.replicas=1");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(previous))!, recursive: true);
        }

        // The code store without a volume claim, as Redis (the node has no provisioner); the first chart had no code store.
        UpgradeOutput = await Release.UpgradeAsync(Path.Combine(Cluster.Layout.Root, "charts", "lamina"), ["--set", "crds.install=false", "--set", "codeStore.persistence.enabled=false", "--set", "gateway.replicas=2", .. Release.CodeEndpointValues()]);

        // helm --wait returns once the new pods are ready; the previous revision's may still be
        // terminating (a gateway draining its last requests). The tests start from a settled release.
        using (var client = new KubernetesObjectClient(new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(Cluster.Layout.ClusterKubeconfig)), disposeKubernetes: true))
        {
            await Eventually.HoldsAsync(
                async () => (await client.ListAsync<V1Pod>(Release.Namespace)).Items.All(pod => pod.Metadata.DeletionTimestamp is null),
                TimeSpan.FromSeconds(120),
                "the previous revision's pods are gone");
        }

        Directory.CreateDirectory(_targets);
        foreach (var job in Jobs())
        {
            await File.WriteAllTextAsync(TargetsFile(job.Name), "[]");
        }

        _discovery = Task.Run(() => DiscoverAsync(_stop.Token));
        Prometheus = await PrometheusServer.StartAsync(ScrapeConfigs(), ScrapeInterval);
        Aws = await Release.ClientsAsync();
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_discovery is not null)
        {
            await _discovery;
        }

        _stop.Dispose();
        if (Directory.Exists(_targets))
        {
            Directory.Delete(_targets, recursive: true);
        }

        if (Prometheus is not null)
        {
            await Prometheus.DisposeAsync();
        }

        if (Release is not null)
        {
            // Uninstalled, not only deleted with its namespace: its ClusterRoles are cluster-scoped.
            try
            {
                await Release.UninstallAsync();
            }
            finally
            {
                await Release.DeleteNamespacesAsync();
            }
        }
    }

    /// <summary>
    /// The chart's four scrape jobs (charts/lamina/templates: ServiceMonitors and the PodMonitor) as
    /// plain Prometheus configuration, the function's own labels honoured. Debian's Prometheus is built
    /// without Kubernetes discovery, so the test discovers the pods itself (<see cref="DiscoverAsync"/>)
    /// and hands them over in file_sd files, which Prometheus watches.
    /// </summary>
    private string ScrapeConfigs() => string.Concat(Jobs().Select(job => $"""
          - job_name: {job.Name}
            honor_labels: true
            file_sd_configs:
              - files: [{TargetsFile(job.Name)}]

        """));

    private IEnumerable<(string Name, string Namespace, string Selector, int Port)> Jobs() =>
    [
        ("lamina-gateway", Release.Namespace, "app.kubernetes.io/component=gateway", 8080),
        ("lamina-worker", Release.Namespace, "app.kubernetes.io/component=worker", 8080),
        ("lamina-operator", Release.Namespace, "app.kubernetes.io/component=operator", 8081),
        ("lamina-functions", Release.FunctionsNamespace, "lamina.dev/function", 9090),
    ];

    private string TargetsFile(string job) => Path.Combine(_targets, job + ".json");

    /// <summary>
    /// Watches each job's pods (an informer, as Prometheus' own Kubernetes discovery would) and writes
    /// the running ones (IP and port, the pod's name as a label) for Prometheus whenever they change.
    /// </summary>
    private async Task DiscoverAsync(CancellationToken stop)
    {
        using var client = new KubernetesObjectClient(new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(Cluster.Layout.ClusterKubeconfig)), disposeKubernetes: true);
        var running = new List<Task>();
        foreach (var job in Jobs())
        {
            var informer = new Informer<V1Pod>(client, new InformerOptions { Namespace = job.Namespace, LabelSelector = job.Selector });
            var gate = new object();
            void Write(V1Pod _)
            {
                lock (gate)
                {
                    var groups = informer.Store.List()
                        .Where(p => p.Status?.Phase == "Running" && !string.IsNullOrEmpty(p.Status.PodIP))
                        .OrderBy(p => p.Metadata.Name, StringComparer.Ordinal)
                        .Select(p => new { targets = new[] { $"{p.Status.PodIP}:{job.Port}" }, labels = new Dictionary<string, string> { ["pod"] = p.Metadata.Name } });
                    // Renamed into place: Prometheus never reads half a file.
                    var temporary = TargetsFile(job.Name) + ".tmp";
                    File.WriteAllText(temporary, JsonSerializer.Serialize(groups));
                    File.Move(temporary, TargetsFile(job.Name), overwrite: true);
                }
            }

            informer.AddHandler(onAdd: Write, onUpdate: (_, pod) => Write(pod), onDelete: Write);
            running.Add(informer.RunAsync(stop));
        }

        try
        {
            await Task.WhenAll(running);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
