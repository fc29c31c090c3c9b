using System.Globalization;
using System.Net;
using System.Security.Cryptography;

namespace Lamina.Testing;

/// <summary>
/// A real <c>docker-registry</c> (Debian's 2.8, installed by <c>hack/registry.sh</c>) on a free loopback
/// port, as the chart runs the code store: filesystem storage in a folder of its own, htpasswd
/// (bcrypt) authentication for one user, deletes enabled, no redirects. Never outlives the test run
/// (<see cref="SupervisedProcess"/>). <see cref="GarbageCollectAsync"/> stops it, runs the registry's
/// garbage collector on the same configuration and starts it again, as an admin would.
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    /// <summary>Free ports can be taken by anyone before the registry binds them; a few tries make that vanishingly rare.</summary>
    private const int PortAttempts = 5;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private RegistryServer(string directory, int port, string username, string password)
    {
        Directory = directory;
        Port = port;
        Username = username;
        Password = password;
        PasswordFile = Path.Combine(directory, "password");
        ConfigPath = Path.Combine(directory, "config.yml");
    }

    /// <summary>Its folder: configuration, htpasswd, password file, data under data/, logs.</summary>
    public string Directory { get; }

    public int Port { get; }

    /// <summary>The one user htpasswd knows.</summary>
    public string Username { get; }

    /// <summary>That user's password.</summary>
    public string Password { get; }

    /// <summary>A file holding <see cref="Password"/>, as a mounted Secret would.</summary>
    public string PasswordFile { get; }

    /// <summary>The registry's configuration file.</summary>
    public string ConfigPath { get; }

    /// <summary>The base URL, e.g. http://127.0.0.1:40123.</summary>
    public Uri Url => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}"));

    /// <summary>The running process.</summary>
    public SupervisedProcess? Process { get; private set; }

    /// <summary>A program on PATH; fails, saying how to install it, when it is not there.</summary>
    public static string Binary(string name)
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{name} is not installed: run hack/registry.sh (make test-integration does)");
    }

    /// <summary>Starts a registry in a new temporary folder with a random password and returns once it answers.</summary>
    public static async Task<RegistryServer> StartAsync(string username = "lamina")
    {
        var directory = Path.Combine(Path.GetTempPath(), $"lamina-registry-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await File.WriteAllTextAsync(Path.Combine(directory, "password"), password + "\n").ConfigureAwait(false);
        await WriteHtpasswdAsync(directory, username, password).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var server = new RegistryServer(directory, FreePort.Next(), username, password);
            try
            {
                await server.RunAsync().ConfigureAwait(false);
                return server;
            }
            catch (InvalidOperationException) when (attempt < PortAttempts && server.Process!.LogTail(20).Contains("address already in use", StringComparison.Ordinal))
            {
                await server.Process.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>
    /// Stops the registry, runs <c>docker-registry garbage-collect</c> on its configuration (the
    /// registry's documentation: never while it serves) and starts it again; the collector's output.
    /// </summary>
    public async Task<string> GarbageCollectAsync()
    {
        await StopAsync().ConfigureAwait(false);
        var log = Path.Combine(Directory, $"gc-{Guid.NewGuid():N}.log");
        string output;
        await using (var gc = SupervisedProcess.Start(Binary("docker-registry"), ["garbage-collect", ConfigPath], log))
        {
            var code = await gc.WaitForExitAsync(StartTimeout).ConfigureAwait(false);
            output = await File.ReadAllTextAsync(log).ConfigureAwait(false);
            if (code != 0)
            {
                throw new InvalidOperationException($"docker-registry garbage-collect exited with {code}:\n{output}");
            }
        }

        await RunAsync().ConfigureAwait(false);
        return output;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (Environment.GetEnvironmentVariable("LAMINA_KEEP_FIXTURE") != "1")
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task WriteHtpasswdAsync(string directory, string username, string password)
    {
        // bcrypt, the only hash the registry's htpasswd auth accepts (as Helm's htpasswd function writes it).
        var log = Path.Combine(directory, "htpasswd.log");
        await using var htpasswd = SupervisedProcess.Start(Binary("htpasswd"), ["-B", "-b", "-c", Path.Combine(directory, "htpasswd"), username, password], log);
        var code = await htpasswd.WaitForExitAsync(StartTimeout).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"htpasswd exited with {code}: {await File.ReadAllTextAsync(log).ConfigureAwait(false)}");
        }
    }

    private async Task StopAsync()
    {
        if (Process is { } process)
        {
            process.Signal("TERM");
            await process.WaitForExitAsync(StartTimeout).ConfigureAwait(false);
            await process.DisposeAsync().ConfigureAwait(false);
            Process = null;
        }
    }

    private async Task RunAsync()
    {
        // The chart's configuration (charts/lamina/templates/code-store-configmap.yaml), but on loopback
        // and in this folder.
        var config = string.Create(CultureInfo.InvariantCulture, $"""
            version: 0.1
            log:
              level: info
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {Path.Combine(Directory, "data")}
              delete:
                enabled: true
              redirect:
                disable: true
              cache:
                blobdescriptor: inmemory
            http:
              addr: 127.0.0.1:{Port}
              secret: {Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}
            auth:
              htpasswd:
                realm: lamina-code-store
                path: {Path.Combine(Directory, "htpasswd")}
            health:
              storagedriver:
                enabled: true
                interval: 10s
                threshold: 3
            """);
        await File.WriteAllTextAsync(ConfigPath, config).ConfigureAwait(false);
        Process = SupervisedProcess.Start(Binary("docker-registry"), ["serve", ConfigPath], Path.Combine(Directory, $"registry-{Guid.NewGuid():N}.log"));
        var deadline = DateTime.UtcNow + StartTimeout;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        while (true)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"docker-registry exited with {Process.ExitCode}:\n{Process.LogTail(30)}");
            }

            try
            {
                // Unauthenticated /v2/ answers 401 once the registry serves.
                using var response = await http.GetAsync(new Uri(Url, "/v2/")).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"docker-registry did not answer within {StartTimeout.TotalSeconds} s:\n{Process.LogTail(30)}");
            }

            await Task.Delay(PollInterval).ConfigureAwait(false);
        }
    }
}
