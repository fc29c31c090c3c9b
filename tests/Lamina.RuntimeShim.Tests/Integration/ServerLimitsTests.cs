using System.Net;
using System.Net.Sockets;
using System.Text;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>
/// The shim's servers bound what a caller can hold open (docs/runtime-shim.md, "Limits"): connections
/// per port, and the time a request's headers may take. Raw sockets, against the built shim.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class ServerLimitsTests
{
    /// <summary>The shim's cap on the invoke port (ShimHost.InvokeConnections).</summary>
    private const int InvokeConnections = 64;

    /// <summary>A refused connection is closed at once; a hang would show as this passing.</summary>
    private static readonly TimeSpan CloseDeadline = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task InvokePort_IdleConnectionFloodPastTheCap_ExtraClosedAdminAndLaterInvocationsServed()
    {
        await using var shim = await (await ConformanceRuntimes.GetAsync(ConformanceRuntimes.Provided)).StartShimAsync();
        var flood = new List<Socket>();
        try
        {
            for (var i = 0; i < InvokeConnections; i++)
            {
                flood.Add(await ConnectAsync(shim.InvokeBase.Port));
            }

            // Each of the flood is admitted (a request on each is answered, so all of them count) ...
            foreach (var socket in flood)
            {
                await SendAsync(socket, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
                Assert.StartsWith("HTTP/1.1 ", await ReadSomeAsync(socket), StringComparison.Ordinal);
            }

            // ... the one past the cap is closed before it is served.
            using var extra = await ConnectAsync(shim.InvokeBase.Port);
            await SendAsync(extra, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", tolerateReset: true);
            Assert.Equal(string.Empty, await ReadSomeAsync(extra, tolerateReset: true));

            // The admin port has its own cap: the controller's readiness poll and scrapes go on, and
            // the scrape counts the refusal.
            using var ready = await shim.GetAdminAsync("/readyz");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            using var metrics = await shim.GetAdminAsync("/metrics");
            var page = await metrics.Content.ReadAsStringAsync();
            Assert.Contains(page.Split('\n'), line => line.StartsWith("lamina_shim_connections_refused_total{", StringComparison.Ordinal)
                && line.Contains("server=\"invoke\"", StringComparison.Ordinal) && !line.EndsWith(" 0", StringComparison.Ordinal));
        }
        finally
        {
            // Each flood socket ends its side and waits for the shim's close: Kestrel closes a connection
            // only after giving back its place under the cap, so once all are closed the cap is free again.
            foreach (var socket in flood)
            {
                socket.Shutdown(SocketShutdown.Send);
                await ReadUntilClosedAsync(socket, CloseDeadline);
                socket.Dispose();
            }
        }

        // Once the flood is gone, the gateway's path is open again (the count went back down).
        var reply = await shim.InvokeAsync(InvokePath.Contract, "{}", "after-the-flood");
        ShimInvocations.AssertSucceeded(reply, "{}"u8.ToArray());
    }

    [Fact]
    public async Task InvokePort_HeadersNeverFinished_ConnectionClosedWithinTheHeaderTimeout()
    {
        await using var shim = await (await ConformanceRuntimes.GetAsync(ConformanceRuntimes.Provided)).StartShimAsync();
        using var slow = await ConnectAsync(shim.InvokeBase.Port);

        await SendAsync(slow, "POST /lamina/v1/invoke HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n");
        // Kestrel answers 408 (or just closes) once the header timeout passes: the shim's 10 s, well
        // before Kestrel's default 30 s, past which this read gives up and the test fails.
        var answer = await ReadUntilClosedAsync(slow, TimeSpan.FromSeconds(25));

        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), answer);
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return socket;
    }

    private static async Task SendAsync(Socket socket, string text, bool tolerateReset = false)
    {
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None);
        }
        catch (SocketException) when (tolerateReset)
        {
            // Closed already: what a refused connection may look like.
        }
    }

    private static async Task<string> ReadSomeAsync(Socket socket, bool tolerateReset = false)
    {
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(CloseDeadline);
        try
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            return Encoding.ASCII.GetString(buffer, 0, read);
        }
        catch (SocketException) when (tolerateReset)
        {
            return string.Empty;
        }
    }

    private static async Task<string> ReadUntilClosedAsync(Socket socket, TimeSpan limit)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(limit);
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                if (read == 0)
                {
                    return text.ToString();
                }

                text.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (SocketException)
        {
            return text.ToString();
        }
    }
}
