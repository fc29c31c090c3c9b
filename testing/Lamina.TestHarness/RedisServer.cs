using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Lamina.Testing;

/// <summary>
/// A real <c>redis-server</c> (Debian's, installed by <c>hack/redis.sh</c>) on a free loopback port,
/// its data in a folder of its own, durable as Lamina expects it (AOF, fsync before every reply).
/// Never outlives the test run (<see cref="SupervisedProcess"/>). <see cref="KillAsync"/> and
/// <see cref="RestartAsync"/> crash it and bring it back on the same port and data, as a restarted pod would.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    /// <summary>Free ports can be taken by anyone before Redis binds them; a few tries make that vanishingly rare.</summary>
    private const int PortAttempts = 5;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private readonly bool _ownsDirectory;

    private RedisServer(string directory, bool ownsDirectory, int port)
    {
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        Port = port;
    }

    /// <summary>Where its AOF lives.</summary>
    public string Directory { get; }

    public int Port { get; }

    /// <summary>The running process (a new one after <see cref="RestartAsync"/>).</summary>
    public SupervisedProcess? Process { get; private set; }

    /// <summary>The StackExchange.Redis connection string.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>The redis-server on PATH; fails, saying how to install it, when there is none.</summary>
    public static string BinaryPath
    {
        get
        {
            foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(folder, "redis-server");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new FileNotFoundException("redis-server is not installed: run hack/redis.sh (make test-integration does)");
        }
    }

    /// <summary>Starts Redis in a new temporary folder and returns once it answers PING.</summary>
    public static async Task<RedisServer> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"lamina-redis-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        for (var attempt = 1; ; attempt++)
        {
            var server = new RedisServer(directory, ownsDirectory: true, FreePort.Next());
            try
            {
                await server.RunAsync().ConfigureAwait(false);
                return server;
            }
            catch (InvalidOperationException) when (attempt < PortAttempts && server.Process!.LogTail(20).Contains("Address already in use", StringComparison.Ordinal))
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

    /// <summary>SIGKILL: no shutdown, no final fsync; what survives is what Redis had fsynced before answering.</summary>
    public async Task KillAsync()
    {
        var process = Process ?? throw new InvalidOperationException("redis-server is not running");
        process.Signal("KILL");
        await process.WaitForExitAsync(StartTimeout).ConfigureAwait(false);
        await process.DisposeAsync().ConfigureAwait(false);
        Process = null;
    }

    /// <summary>Starts Redis again on the same port and data (after <see cref="KillAsync"/>), once it has loaded its AOF.</summary>
    public Task RestartAsync() => Process is null ? RunAsync() : throw new InvalidOperationException("redis-server is still running");

    public async ValueTask DisposeAsync()
    {
        if (Process is { } process)
        {
            await process.DisposeAsync().ConfigureAwait(false);
            Process = null;
        }

        if (_ownsDirectory)
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

    private async Task RunAsync()
    {
        string[] arguments =
        [
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--dir", Directory,
            // Lamina's durability: the AOF, fsynced before Redis answers a write (docs/async.md).
            "--appendonly", "yes",
            "--appendfsync", "always",
            // No snapshots: the AOF alone must hold every event.
            "--save", "",
            "--daemonize", "no",
            "--logfile", "",
        ];
        Process = SupervisedProcess.Start(BinaryPath, arguments, Path.Combine(Directory, $"redis-{Guid.NewGuid():N}.log"));
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {Process.ExitCode}:\n{Process.LogTail(30)}");
            }

            if (await PingAsync().ConfigureAwait(false))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"redis-server did not answer PING within {StartTimeout.TotalSeconds} s:\n{Process.LogTail(30)}");
            }

            await Task.Delay(PollInterval).ConfigureAwait(false);
        }
    }

    /// <summary>True when Redis answers PING with PONG (not LOADING while it replays its AOF).</summary>
    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync("127.0.0.1", Port, timeout.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token).ConfigureAwait(false);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }
}
