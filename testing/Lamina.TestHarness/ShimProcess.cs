using System.Net;
using System.Net.Http.Headers;

namespace Lamina.Testing;

/// <summary>
/// The runtime shim as a real process (the build output of runtime-shim/), with a real runtime as its
/// child, on free loopback ports. Stopped (SIGTERM, then SIGKILL) on dispose, and never outlives the
/// test run (<see cref="SupervisedProcess"/>).
/// </summary>
public sealed class ShimProcess : IAsyncDisposable
{
    // How often a start-up wait asks again (it ends at the deadline, or as soon as the answer is yes).
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Free ports can be taken by anyone before the shim binds them; a few tries make that vanishingly rare.</summary>
    private const int PortAttempts = 5;

    private ShimProcess(SupervisedProcess process, int invokePort, int adminPort, int runtimeApiPort)
    {
        Process = process;
        InvokeBase = new Uri($"http://127.0.0.1:{invokePort}");
        AdminBase = new Uri($"http://127.0.0.1:{adminPort}");
        RuntimeApiBase = new Uri($"http://127.0.0.1:{runtimeApiPort}");
        Client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromMinutes(2) };
    }

    public SupervisedProcess Process { get; }

    /// <summary>The invoke contract and the RIE-compatible path.</summary>
    public Uri InvokeBase { get; }

    /// <summary>/healthz, /readyz, /metrics.</summary>
    public Uri AdminBase { get; }

    /// <summary>The Runtime API the child calls (tests may call it too, to act as a misbehaving runtime).</summary>
    public Uri RuntimeApiBase { get; }

    public HttpClient Client { get; }

    /// <summary>The RIE-compatible invoke URL.</summary>
    public Uri RieUri => new(InvokeBase, "/2015-03-31/functions/function/invocations");

    /// <summary>The gateway's contract URL.</summary>
    public Uri ContractUri => new(InvokeBase, "/lamina/v1/invoke");

    /// <summary>The built shim next to this test assembly's build output (same artifacts root and configuration).</summary>
    public static string BinaryPath
    {
        get
        {
            var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            var path = Path.Combine(own.Parent!.Parent!.FullName, "Lamina.RuntimeShim", own.Name, "runtime-shim");
            return File.Exists(path) ? path : throw new FileNotFoundException($"the runtime shim is not built at {path}: build Operator.sln first");
        }
    }

    /// <summary>
    /// Starts the shim running <paramref name="runtimeCommand"/>; with <paramref name="waitForReady"/>,
    /// returns once /readyz says the runtime initialised (or throws with the shim's log), and starts it
    /// again on other ports when one of its free ports was taken before it could bind (<see cref="FreePort"/>).
    /// </summary>
    public static async Task<ShimProcess> StartAsync(
        IReadOnlyList<string> runtimeCommand,
        IReadOnlyDictionary<string, string>? environment = null,
        int timeoutSeconds = 30,
        bool waitForReady = true,
        string? binary = null,
        IEnumerable<string>? extraArguments = null,
        bool local = true)
    {
        ArgumentNullException.ThrowIfNull(runtimeCommand);
        var extra = extraArguments?.ToList() ?? [];
        for (var attempt = 1; ; attempt++)
        {
            var shim = Start(runtimeCommand, environment, timeoutSeconds, binary, extra, local);
            if (!waitForReady)
            {
                return shim;
            }

            try
            {
                await shim.WaitUntilReadyAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
                return shim;
            }
            catch (InvalidOperationException) when (attempt < PortAttempts && shim.Process.HasExited && shim.Log().Contains("address already in use", StringComparison.Ordinal))
            {
                await shim.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await shim.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    private static ShimProcess Start(IReadOnlyList<string> runtimeCommand, IReadOnlyDictionary<string, string>? environment, int timeoutSeconds, string? binary, List<string> extraArguments, bool local)
    {
        // Three different ports: the shim tells its servers apart by port.
        var ports = new HashSet<int>();
        while (ports.Count < 3)
        {
            ports.Add(FreePort.Next());
        }

        var (invokePort, adminPort, runtimeApiPort) = (ports.ElementAt(0), ports.ElementAt(1), ports.ElementAt(2));
        var arguments = new List<string>();
        if (local)
        {
            // Local mode serves RIE's path too, which the tests drive beside the gateway's contract;
            // without it the shim runs as in a function pod (the token required, no RIE path).
            arguments.Add("--local");
        }

        arguments.AddRange(
        [
            "--invoke-address", $"127.0.0.1:{invokePort}",
            "--admin-address", $"127.0.0.1:{adminPort}",
            "--runtime-api", $"127.0.0.1:{runtimeApiPort}",
            "--timeout", timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ]);
        arguments.AddRange(extraArguments);
        arguments.Add("--");
        arguments.AddRange(runtimeCommand);
        var log = Path.Combine(Path.GetTempPath(), $"lamina-shim-{Guid.NewGuid():N}.log");
        var process = SupervisedProcess.Start(binary ?? BinaryPath, arguments, log, environment);
        return new ShimProcess(process, invokePort, adminPort, runtimeApiPort);
    }

    /// <summary>Polls /readyz until it answers 200; fails with the shim's log when the deadline passes or the shim exits.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"the shim exited with {Process.ExitCode} before it was ready:\n{Process.LogTail(60)}");
            }

            if (await IsReadyAsync().ConfigureAwait(false))
            {
                return;
            }

            await Task.Delay(PollInterval).ConfigureAwait(false);
        }

        throw new TimeoutException($"the shim was not ready within {timeout}:\n{Process.LogTail(60)}");
    }

    public async Task<bool> IsReadyAsync()
    {
        try
        {
            using var response = await Client.GetAsync(new Uri(AdminBase, "/readyz")).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>POSTs <paramref name="payload"/> to <paramref name="uri"/> with the given headers.</summary>
    public Task<HttpResponseMessage> PostAsync(Uri uri, string payload, params (string Name, string Value)[] headers) =>
        PostAsync(uri, System.Text.Encoding.UTF8.GetBytes(payload ?? throw new ArgumentNullException(nameof(payload))), headers);

    /// <summary>POSTs the bytes of <paramref name="payload"/> unchanged to <paramref name="uri"/> with the given headers.</summary>
    public async Task<HttpResponseMessage> PostAsync(Uri uri, byte[] payload, params (string Name, string Value)[] headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(payload) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await Client.SendAsync(request).ConfigureAwait(false);
    }

    /// <summary>GETs <paramref name="path"/> (/healthz, /readyz, /metrics) from the admin address.</summary>
    public Task<HttpResponseMessage> GetAdminAsync(string path) => Client.GetAsync(new Uri(AdminBase, path));

    /// <summary>Waits until the shim's log (its stdout and stderr) contains <paramref name="text"/>.</summary>
    public async Task WaitForLogAsync(string text, TimeSpan timeout)
    {
        try
        {
            await Eventually.HoldsAsync(() => Log().Contains(text, StringComparison.Ordinal), timeout, $"the shim's log contains '{text}'").ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; the log ends:\n{Process.LogTail(40)}", e);
        }
    }

    /// <summary>Everything the shim (and its runtime) wrote so far.</summary>
    public string Log() => Process.LogTail(int.MaxValue);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Process.DisposeAsync().ConfigureAwait(false);
    }
}
