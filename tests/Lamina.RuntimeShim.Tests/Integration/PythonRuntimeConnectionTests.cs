using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>
/// Lamina's Python runtime client against a bare Runtime API stub that closes the kept-alive connection
/// after answering a response, as a server may: the client's next call goes out again on a new connection.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class PythonRuntimeConnectionTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Next_ServerClosedTheKeptAliveConnection_AsksAgainOnANewOne()
    {
        using var python = await PythonRuntime.WithFilesAsync(("app.py", "def handler(event, context):\n    return event\n"));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var timeout = new CancellationTokenSource(Deadline);
        var start = new ProcessStartInfo(Path.Combine(RepositoryLayout.Discover().Root, "runtimes", "python", "bootstrap"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = python.TaskRoot.Path,
        };
        foreach (var (name, value) in python.Handler("app.handler").Environment)
        {
            start.Environment[name] = value;
        }

        start.Environment["AWS_LAMBDA_RUNTIME_API"] = $"127.0.0.1:{port}";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            using (var first = await listener.AcceptTcpClientAsync(timeout.Token))
            {
                var stream = first.GetStream();
                Assert.StartsWith("GET /2018-06-01/runtime/invocation/next ", await ReadRequestAsync(stream, timeout.Token), StringComparison.Ordinal);
                var deadline = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds();
                const string Event = """{"n": 1}""";
                await WriteAsync(stream, $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Event.Length}\r\nLambda-Runtime-Aws-Request-Id: r1\r\nLambda-Runtime-Deadline-Ms: {deadline}\r\n\r\n{Event}", timeout.Token);
                var response = await ReadRequestAsync(stream, timeout.Token);
                Assert.StartsWith("POST /2018-06-01/runtime/invocation/r1/response ", response, StringComparison.Ordinal);
                Assert.EndsWith("\r\n\r\n" + Event, response, StringComparison.Ordinal);
                const string Accepted = """{"status":"OK"}""";
                await WriteAsync(stream, $"HTTP/1.1 202 Accepted\r\nContent-Length: {Accepted.Length}\r\n\r\n{Accepted}", timeout.Token);
            } // closed: the client's next call finds the connection gone

            using var second = await listener.AcceptTcpClientAsync(timeout.Token);
            Assert.StartsWith("GET /2018-06-01/runtime/invocation/next ", await ReadRequestAsync(second.GetStream(), timeout.Token), StringComparison.Ordinal);
            Assert.False(process.HasExited, $"the runtime exited: {(process.HasExited ? await stderr : string.Empty)}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    /// <summary>One request: its head up to the blank line and a body of its Content-Length.</summary>
    private static async Task<string> ReadRequestAsync(NetworkStream stream, CancellationToken cancellation)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            var text = Encoding.ASCII.GetString([.. received]);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var length = text[..end].Split("\r\n").Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    .Select(l => int.Parse(l["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
                if (received.Count >= end + 4 + length)
                {
                    return text;
                }
            }

            var read = await stream.ReadAsync(buffer, cancellation);
            if (read == 0)
            {
                throw new EndOfStreamException($"the runtime closed the connection after: {text}");
            }

            received.AddRange(buffer.AsSpan(0, read));
        }
    }

    private static Task WriteAsync(NetworkStream stream, string text, CancellationToken cancellation) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(text), cancellation).AsTask();
}
