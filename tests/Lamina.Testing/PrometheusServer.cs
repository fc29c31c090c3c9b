using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Lamina.Testing;

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c> package, which <c>hack/test-tools.sh</c>
/// installs) on a free loopback port, with the scrape configuration a test gives it and its data in a
/// folder of its own. It discovers pods through the cluster's API server as it would in production
/// (<c>kubernetes_sd_configs</c> with the admin kubeconfig) and scrapes them at their pod IPs, which
/// the node reaches. Never outlives the test run (<see cref="SupervisedProcess"/>).
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private const int PortAttempts = 5;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly string _directory;
    private readonly HttpClient _http;
    private readonly SupervisedProcess _process;

    private PrometheusServer(string directory, int port, SupervisedProcess process)
    {
        _directory = directory;
        _process = process;
        Url = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
        _http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The server's address.</summary>
    public Uri Url { get; }

    /// <summary>The prometheus binary on PATH; fails, saying how to install it, when there is none.</summary>
    public static string BinaryPath =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "prometheus"))
            .FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException("prometheus is not installed: run hack/test-tools.sh (it installs Debian's prometheus package)");

    /// <summary>
    /// Starts Prometheus scraping every <paramref name="scrapeInterval"/> with <paramref name="scrapeConfigs"/>
    /// (the YAML list under <c>scrape_configs:</c>, indented by two spaces) and returns once it is ready.
    /// </summary>
    public static async Task<PrometheusServer> StartAsync(string scrapeConfigs, TimeSpan scrapeInterval)
    {
        ArgumentNullException.ThrowIfNull(scrapeConfigs);
        var directory = Path.Combine(Path.GetTempPath(), $"lamina-prometheus-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "prometheus.yml");
        var interval = string.Create(CultureInfo.InvariantCulture, $"{(int)scrapeInterval.TotalMilliseconds}ms");
        await File.WriteAllTextAsync(config, $"global:\n  scrape_interval: {interval}\n  evaluation_interval: {interval}\nscrape_configs:\n{scrapeConfigs}").ConfigureAwait(false);

        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            string[] arguments =
            [
                $"--config.file={config}",
                $"--storage.tsdb.path={Path.Combine(directory, "data")}",
                string.Create(CultureInfo.InvariantCulture, $"--web.listen-address=127.0.0.1:{port}"),
                "--log.level=warn",
            ];
            var process = SupervisedProcess.Start(BinaryPath, arguments, Path.Combine(directory, $"prometheus-{attempt}.log"));
            var server = new PrometheusServer(directory, port, process);
            try
            {
                await server.WaitReadyAsync().ConfigureAwait(false);
                return server;
            }
            catch (InvalidOperationException) when (attempt < PortAttempts && process.LogTail(20).Contains("address already in use", StringComparison.Ordinal))
            {
                server._http.Dispose();
                await process.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>
    /// Evaluates <paramref name="expression"/> now; the result's <c>data.result</c> array. A query
    /// Prometheus refuses (a parse or evaluation error) throws with its words.
    /// </summary>
    public async Task<JsonElement> QueryAsync(string expression, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(new Uri("api/v1/query?query=" + Uri.EscapeDataString(expression), UriKind.Relative), cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || body.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"Prometheus refused `{expression}` ({(int)response.StatusCode}): {body}");
        }

        return body.GetProperty("data").GetProperty("result").Clone();
    }

    /// <summary>The value of a query that yields one sample (a sum, say); null when it yields none.</summary>
    public async Task<double?> ScalarAsync(string expression, CancellationToken cancellationToken = default)
    {
        var result = await QueryAsync(expression, cancellationToken).ConfigureAwait(false);
        return result.GetArrayLength() switch
        {
            0 => null,
            1 => double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture),
            var n => throw new InvalidOperationException($"`{expression}` yielded {n} series, not one: {result}"),
        };
    }

    /// <summary>The scrape targets Prometheus knows, active ones only: job, scrape URL, health and last error.</summary>
    public async Task<IReadOnlyList<(string Job, string Url, string Health, string Error)>> TargetsAsync(CancellationToken cancellationToken = default)
    {
        var body = await _http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/targets?state=active", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        return [.. body.GetProperty("data").GetProperty("activeTargets").EnumerateArray().Select(t => (
            t.GetProperty("labels").TryGetProperty("job", out var job) ? job.GetString()! : "",
            t.GetProperty("scrapeUrl").GetString()!,
            t.GetProperty("health").GetString()!,
            t.GetProperty("lastError").GetString()!))];
    }

    /// <summary>The server's log, for a failing test's message.</summary>
    public string LogTail(int lines = 30) => _process.LogTail(lines);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _process.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with {_process.ExitCode}:\n{_process.LogTail(30)}");
            }

            try
            {
                using var response = await _http.GetAsync(new Uri("-/ready", UriKind.Relative)).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"prometheus was not ready within {StartTimeout.TotalSeconds} s:\n{_process.LogTail(30)}");
            }

            await Task.Delay(PollInterval).ConfigureAwait(false);
        }
    }
}
