using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Lamina.Contracts.Shim;
using Lamina.Testing;
using Xunit.Abstractions;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>
/// A few hundred malformed requests over raw TCP at both of the shim's servers (the invoke side and
/// the Runtime API): each must be answered with a 4xx or 5xx status line, or the connection closed;
/// never accepted, never left hanging. Afterwards the shim is healthy, ready, and still invokes.
/// The cases come from a seeded <see cref="Random"/>: LAMINA_FUZZ_SEED=&lt;seed&gt; repeats a run.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class MalformedInputFuzzTests(ITestOutputHelper output)
{
    private const int Requests = 300;

    /// <summary>Kestrel answers a complete malformed request in milliseconds; this only turns a hang into a failure.</summary>
    private static readonly TimeSpan AnswerDeadline = TimeSpan.FromSeconds(10);

    private static readonly string[] InvokePaths = [ShimInvokeContract.Path, "/2015-03-31/functions/function/invocations"];

    private enum Server
    {
        Invoke,
        RuntimeApi,
    }

    /// <summary>One request: what it is, its bytes, and whether it declares more body than it sends (so the client closes its side).</summary>
    private sealed record Attempt(string What, byte[] Bytes, bool Truncated);

    [Fact]
    public async Task Servers_MalformedRequestBarrage_AnswerOrCloseAndStayHealthy()
    {
        var seed = Environment.GetEnvironmentVariable("LAMINA_FUZZ_SEED") is { Length: > 0 } configured
            ? int.Parse(configured, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        output.WriteLine($"fuzz seed {seed} (LAMINA_FUZZ_SEED={seed} repeats this run)");
        var random = new Random(seed);
        await using var shim = await (await ConformanceRuntimes.GetAsync(ConformanceRuntimes.Provided)).StartShimAsync();
        var failures = new List<string>();
        var answers = new SortedDictionary<string, int>(StringComparer.Ordinal);

        for (var i = 0; i < Requests; i++)
        {
            var server = random.Next(2) == 0 ? Server.Invoke : Server.RuntimeApi;
            var attempt = Generate(random, server);
            var port = (server == Server.Invoke ? shim.InvokeBase : shim.RuntimeApiBase).Port;
            var (answer, failure) = await SendAsync(port, attempt);
            answers[$"{server} {answer}"] = answers.GetValueOrDefault($"{server} {answer}") + 1;
            if (failure is not null)
            {
                failures.Add($"#{i} {server} {attempt.What}: {failure}\n    request: {Printable(attempt.Bytes)}");
            }
        }

        output.WriteLine("answers: " + string.Join(", ", answers.Select(a => $"{a.Key} ×{a.Value}")));

        using var health = await shim.GetAdminAsync("/healthz");
        using var ready = await shim.GetAdminAsync("/readyz");
        var reply = await shim.InvokeAsync(InvokePath.Contract, "{}", "after-the-barrage");

        Assert.True(failures.Count == 0, $"seed {seed}: {failures.Count} of {Requests} malformed requests were not refused:\n{string.Join('\n', failures)}");
        Assert.True(health.StatusCode == HttpStatusCode.OK, $"seed {seed}: /healthz answered {health.StatusCode}");
        Assert.True(ready.StatusCode == HttpStatusCode.OK, $"seed {seed}: /readyz answered {ready.StatusCode}");
        Assert.True(reply.Status == HttpStatusCode.OK && reply.FunctionError is null, $"seed {seed}: the invocation after the barrage: {reply}");
        Assert.True("{}"u8.SequenceEqual(reply.Body), $"seed {seed}: the invocation after the barrage: {reply}");
        // Nothing in the barrage reached the runtime: it is the first runtime, and this its first invocation.
        ShimInvocations.AssertColdStart(reply, coldStart: true);
        Assert.DoesNotContain("Runtime 2 started", shim.Log(), StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- the cases

    private static Attempt Generate(Random random, Server server)
    {
        var path = server == Server.Invoke ? Pick(random, InvokePaths) : RuntimeApiPath(random);
        return random.Next(10) switch
        {
            0 => BadJson(random, path),
            1 => HugeHeaders(random, path),
            2 => BadContentLength(random, path),
            3 => OversizedContentLength(random, path),
            4 => TruncatedBody(random, path),
            5 => server == Server.Invoke ? BadRequestId(random) : UnknownInvocation(random),
            6 => GarbageRequestLine(random),
            7 => NonUtf8(random, server, path),
            8 => Http10(random, path),
            _ => BadChunks(random, path),
        };
    }

    /// <summary>Paths a runtime posts to, with ids no invocation has; never <c>next</c>, whose GET would wait for an event.</summary>
    private static string RuntimeApiPath(Random random) => random.Next(3) switch
    {
        0 => $"/2018-06-01/runtime/invocation/{Token(random, 1, 40)}/response",
        1 => $"/2018-06-01/runtime/invocation/{Token(random, 1, 40)}/error",
        _ => "/2018-06-01/runtime/init/error",
    };

    /// <summary>An object or array never closed: not JSON whatever the letters are.</summary>
    private static string BrokenJson(Random random) => random.Next(4) switch
    {
        0 => $"{{\"{Letters(random, 1, 20)}\":{Letters(random, 0, 20)}",
        1 => $"[{string.Join(',', Enumerable.Range(0, random.Next(1, 10)).Select(_ => random.Next(1000)))}",
        2 => $"{{\"{Letters(random, 1, 20)}\":\"{Letters(random, 0, 50)}",
        _ => $"{{{Letters(random, 1, 30)}",
    };

    private static Attempt BadJson(Random random, string path)
    {
        var body = BrokenJson(random);
        return new($"bad JSON {Quote(body)}", Request("POST", path, [], Encoding.UTF8.GetBytes(body)), false);
    }

    private static Attempt HugeHeaders(Random random, string path)
    {
        var size = random.Next(65 * 1024, 200 * 1024);
        var headers = random.Next(2) == 0
            ? [("X-Fuzz", Letters(random, size, size))]
            : Enumerable.Range(0, size / 1024).Select(i => ($"X-Fuzz-{i}", Letters(random, 1000, 1000))).ToArray();
        return new($"{size} bytes of headers", Request("POST", path, headers, Encoding.UTF8.GetBytes(BrokenJson(random))), false);
    }

    private static Attempt BadContentLength(Random random, string path)
    {
        var value = Pick(random, ["abc", "-1", $"-{random.Next(1, 1_000_000)}", "1.5", "0x10", "99999999999999999999999", "1 2", "+5", "", "1,2", $"{random.Next(1, 9)}e3"]);
        var body = Encoding.UTF8.GetBytes(BrokenJson(random));
        var bytes = Concat(
            Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/json\r\nContent-Length: {value}\r\n\r\n"),
            body);
        return new($"Content-Length '{value}'", bytes, false);
    }

    private static Attempt OversizedContentLength(Random random, string path)
    {
        var declared = Pick(random, [6_291_557L, 7_000_000L, int.MaxValue, 1L << 40, long.MaxValue]);
        var body = Encoding.UTF8.GetBytes(BrokenJson(random));
        var bytes = Concat(
            Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/json\r\nContent-Length: {declared}\r\n\r\n"),
            body);
        // Not closed: the limit is checked before the body is read, so the answer must come at once.
        return new($"Content-Length {declared} with {body.Length} bytes sent", bytes, false);
    }

    private static Attempt TruncatedBody(Random random, string path)
    {
        var body = Encoding.UTF8.GetBytes("{\"a\":\"" + Letters(random, 0, 2000));
        var declared = body.Length + random.Next(1, 5000);
        var bytes = Concat(
            Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/json\r\nContent-Length: {declared}\r\n\r\n"),
            body);
        return new($"Content-Length {declared} with {body.Length} bytes sent, then closed", bytes, true);
    }

    /// <summary>A request id with at least one character outside letters, digits and '-' (not whitespace: Kestrel trims that).</summary>
    private static Attempt BadRequestId(Random random)
    {
        var id = random.Next(3) == 0
            ? Token(random, 65, 300)
            : Token(random, 0, 20) + Pick(random, ["_", ".", "!", "@", "#", "$", "%", "*", "(", "/", "\\", ":", ";", "\"", "'", "<", "=", "?", "[", "{", "~", "|", "+"]) + Token(random, 0, 20);
        return new($"Lamina-Request-Id '{id}'", Request("POST", ShimInvokeContract.Path, [(ShimInvokeContract.Headers.RequestId, id)], "{}"u8.ToArray()), false);
    }

    private static Attempt UnknownInvocation(Random random)
    {
        var path = $"/2018-06-01/runtime/invocation/{Token(random, 1, 64)}/{Pick(random, ["response", "error"])}";
        var body = random.Next(2) == 0 ? "{\"ok\":true}"u8.ToArray() : RandomBytes(random, 0, 5000);
        return new($"an unknown id, {path}", Request("POST", path, [], body), false);
    }

    private static Attempt GarbageRequestLine(Random random)
    {
        var line = random.Next(4) switch
        {
            0 => RandomBytes(random, 1, 300, exceptLineBreaks: true),
            1 => Encoding.ASCII.GetBytes($"{Pick(random, ["GET", "POST", "PUT"])} {Pick(random, ["", "*", "no-slash", "http://", "//x", "/%zz"])} HTTP/1.1"),
            2 => Encoding.ASCII.GetBytes($"POST / HTTP/{Pick(random, ["9.9", "1", "1.1.1", "x", "", "2"])}"),
            _ => Encoding.ASCII.GetBytes($"{Pick(random, ["BREW", "FROB", "G ET", "GET\t"])} /lamina/v1/invoke HTTP/1.1 {Letters(random, 1, 10)}"),
        };
        return new($"request line {Printable(line)}", Concat(line, "\r\nHost: fuzz\r\nContent-Length: 0\r\n\r\n"u8.ToArray()), false);
    }

    private static Attempt NonUtf8(Random random, Server server, string path)
    {
        var invalid = Pick(random, new[] { new byte[] { 0xff }, [0xc3, 0x28], [0xe2, 0x28, 0xa1], [0xf0, 0x90, 0x28, 0xbc], [0xc0, 0xaf], [0xed, 0xa0, 0x80] });
        switch (random.Next(3))
        {
            case 0:
                // In the request target.
                var target = Concat(Encoding.ASCII.GetBytes(path), invalid);
                return new("non-UTF-8 bytes in the path", Concat("POST "u8.ToArray(), target, " HTTP/1.1\r\nHost: fuzz\r\nContent-Length: 1\r\n\r\n{"u8.ToArray()), false);
            case 1:
                // In a header value that matters (the request id), with a body that is not JSON either way.
                var header = server == Server.Invoke ? ShimInvokeContract.Headers.RequestId : "Lambda-Runtime-Function-Error-Type";
                var body = Encoding.UTF8.GetBytes(BrokenJson(random));
                var head = Concat(
                    Encoding.ASCII.GetBytes($"POST {(server == Server.Invoke ? ShimInvokeContract.Path : path)} HTTP/1.1\r\nHost: fuzz\r\n{header}: abc"),
                    invalid,
                    Encoding.ASCII.GetBytes($"\r\nContent-Length: {body.Length}\r\n\r\n"));
                return new($"non-UTF-8 bytes in {header}", Concat(head, body), false);
            default:
                // Inside a JSON string of the body.
                var json = Concat("{\"a\":\""u8.ToArray(), invalid, "\"}"u8.ToArray());
                return new($"non-UTF-8 bytes in a JSON string {Printable(json)}", Request("POST", path, [], json), false);
        }
    }

    private static Attempt Http10(Random random, string path)
    {
        var body = Encoding.UTF8.GetBytes(BrokenJson(random));
        return random.Next(2) == 0
            ? new("HTTP/1.0 with a bad body", Concat(Encoding.ASCII.GetBytes($"POST {path} HTTP/1.0\r\nContent-Length: {body.Length}\r\n\r\n"), body), false)
            : new("HTTP/1.0 chunked", Concat(Encoding.ASCII.GetBytes($"POST {path} HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n{body.Length:x}\r\n"), body, "\r\n0\r\n\r\n"u8.ToArray()), true);
    }

    private static Attempt BadChunks(Random random, string path)
    {
        var data = Letters(random, 1, 100);
        // The first three are wrong as soon as they are read; the last three leave the body unfinished (so the client closes).
        var (chunks, unfinished) = random.Next(6) switch
        {
            0 => ($"zz\r\n{data}\r\n0\r\n\r\n", false),
            1 => ($"-{data.Length:x}\r\n{data}\r\n0\r\n\r\n", false),
            2 => ($"{data.Length:x}\r\n{data}XX0\r\n\r\n", false),
            3 => ($"FFFFFFFFFFFFFFFFFFFFFFFF\r\n{data}\r\n0\r\n\r\n", true),
            4 => ($"{data.Length + 7:x}\r\n{data}\r\n0\r\n\r\n", true),
            _ => ($"{data.Length:x};{Letters(random, 1, 5)}\r\n{data}", true),
        };
        var bytes = Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: fuzz\r\nTransfer-Encoding: chunked\r\n\r\n{chunks}");
        return new($"chunks {Quote(chunks)}", bytes, unfinished);
    }

    // ---------------------------------------------------------------- sending

    /// <summary>The server's answer (a status code or "closed"), and what went wrong unless it refused properly (4xx/5xx or a close).</summary>
    private static async Task<(string Answer, string? Failure)> SendAsync(int port, Attempt attempt)
    {
        using var deadline = new CancellationTokenSource(AnswerDeadline);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), deadline.Token);
            try
            {
                await socket.SendAsync(attempt.Bytes, SocketFlags.None, deadline.Token);
                if (attempt.Truncated)
                {
                    socket.Shutdown(SocketShutdown.Send);
                }
            }
            catch (SocketException)
            {
                // The server closed while we were still sending (it refused what it had already read): read what it said.
            }

            var received = new List<byte>();
            var buffer = new byte[4096];
            while (!received.Contains((byte)'\n'))
            {
                int read;
                try
                {
                    read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                }
                catch (SocketException) when (received.Count == 0)
                {
                    return ("reset", null); // Closed without an answer.
                }

                if (read == 0)
                {
                    break;
                }

                received.AddRange(buffer.AsSpan(0, read));
            }

            if (received.Count == 0)
            {
                return ("closed", null); // Closed without an answer.
            }

            var statusLine = Encoding.ASCII.GetString([.. received]).Split('\n')[0].TrimEnd('\r');
            var parts = statusLine.Split(' ');
            return parts.Length >= 2 && parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status) && status is >= 400 and <= 599
                    ? (parts[1], null)
                    : (statusLine, $"answered '{statusLine}'");
        }
        catch (OperationCanceledException)
        {
            return ("hang", $"no answer and no close within {AnswerDeadline.TotalSeconds} s: the server hangs");
        }
    }

    // ---------------------------------------------------------------- bytes

    private static byte[] Request(string method, string path, (string Name, string Value)[] headers, byte[] body)
    {
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"{method} {path} HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        head.Append("\r\n");
        return Concat(Encoding.UTF8.GetBytes(head.ToString()), body);
    }

    private static byte[] Concat(params byte[][] parts)
    {
        var all = new byte[parts.Sum(p => p.Length)];
        var at = 0;
        foreach (var part in parts)
        {
            part.CopyTo(all, at);
            at += part.Length;
        }

        return all;
    }

    private static T Pick<T>(Random random, T[] choices) => choices[random.Next(choices.Length)];

    private static string Letters(Random random, int min, int max) =>
        string.Create(random.Next(min, max + 1), random, static (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + r.Next(26));
            }
        });

    /// <summary>Letters, digits and dashes: what a request id may hold.</summary>
    private static string Token(Random random, int min, int max) =>
        string.Create(random.Next(min, max + 1), random, static (span, r) =>
        {
            const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[r.Next(alphabet.Length)];
            }
        });

    private static byte[] RandomBytes(Random random, int min, int max, bool exceptLineBreaks = false)
    {
        var bytes = new byte[random.Next(min, max + 1)];
        random.NextBytes(bytes);
        if (exceptLineBreaks)
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                if (bytes[i] is (byte)'\r' or (byte)'\n')
                {
                    bytes[i] = (byte)'?';
                }
            }
        }

        return bytes;
    }

    private static string Quote(string text) => text.Length > 80 ? $"'{text[..80]}…'" : $"'{text}'";

    /// <summary>The first bytes of a request, with what is not printable ASCII escaped.</summary>
    private static string Printable(byte[] bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes.AsSpan(0, Math.Min(bytes.Length, 200)))
        {
            text.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                >= 0x20 and < 0x7f => ((char)b).ToString(),
                _ => $"\\x{b:x2}",
            });
        }

        return bytes.Length > 200 ? text.Append('…').ToString() : text.ToString();
    }
}
