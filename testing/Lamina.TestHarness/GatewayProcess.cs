using System.Net;

namespace Lamina.Testing;

/// <summary>
/// The gateway as a real process (the build output of operator/Lamina.Gateway) against a cluster's
/// kubeconfig, on a free loopback port, in its gateway role or (<see cref="StartWorkerAsync"/>) its
/// async workers' role. Stopped on dispose, and never outlives the test run.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    // How often a start-up wait asks again (it ends at the deadline, or as soon as the answer is yes).
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private GatewayProcess(SupervisedProcess process, int port)
    {
        Process = process;
        Endpoint = new Uri($"http://127.0.0.1:{port}");
    }

    public SupervisedProcess Process { get; }

    /// <summary>What callers pass as --endpoint-url.</summary>
    public Uri Endpoint { get; }

    /// <summary>The built gateway next to this test assembly's build output (same artifacts root and configuration).</summary>
    public static string BinaryPath
    {
        get
        {
            var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            var path = Path.Combine(own.Parent!.Parent!.FullName, "Lamina.Gateway", own.Name, "lamina-gateway");
            return File.Exists(path) ? path : throw new FileNotFoundException($"the gateway is not built at {path}: build Operator.sln first");
        }
    }

    /// <summary>Starts the gateway and returns once /readyz answers 200 (its caches are synced).</summary>
    public static Task<GatewayProcess> StartAsync(string kubeconfig, IEnumerable<string>? arguments = null, IReadOnlyDictionary<string, string>? environment = null) =>
        StartAsync([], kubeconfig, arguments, environment);

    /// <summary>
    /// Starts the program as async workers (<c>lamina-gateway worker</c>; its <see cref="Endpoint"/>
    /// serves only probes and /metrics) and returns once /readyz answers 200.
    /// </summary>
    public static Task<GatewayProcess> StartWorkerAsync(string kubeconfig, IEnumerable<string>? arguments = null, IReadOnlyDictionary<string, string>? environment = null) =>
        StartAsync(["worker"], kubeconfig, arguments, environment);

    private static async Task<GatewayProcess> StartAsync(string[] role, string kubeconfig, IEnumerable<string>? arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var port = FreePort.Next();
        var all = new List<string>(role) { "--urls", $"http://127.0.0.1:{port}" };
        if (role.Length == 0)
        {
            // The code endpoint's own listener, on a free port too, so several gateways can run at once.
            all.Add($"--Lamina:Gateway:Code:Url=http://127.0.0.1:{FreePort.Next()}");
        }

        all.AddRange(arguments ?? []);
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["KUBECONFIG"] = kubeconfig };
        var log = Path.Combine(Path.GetTempPath(), $"lamina-gateway-{Guid.NewGuid():N}.log");
        var gateway = new GatewayProcess(SupervisedProcess.Start(BinaryPath, all, log, variables), port);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (true)
            {
                if (gateway.Process.HasExited)
                {
                    throw new InvalidOperationException($"the gateway exited with {gateway.Process.ExitCode}:\n{gateway.Process.LogTail(60)}");
                }

                try
                {
                    using var response = await http.GetAsync(new Uri(gateway.Endpoint, "/readyz")).ConfigureAwait(false);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return gateway;
                    }
                }
                catch (HttpRequestException)
                {
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"the gateway was not ready within 60 s:\n{gateway.Process.LogTail(60)}");
                }

                await Task.Delay(PollInterval).ConfigureAwait(false);
            }
        }
        catch
        {
            await gateway.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
