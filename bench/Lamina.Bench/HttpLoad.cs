using System.Diagnostics;
using System.Net;
using System.Text;

namespace Lamina.Bench;

/// <summary>
/// Drives an HTTP endpoint with POSTs and times them: one request at a time (latency and rate), or
/// several clients at once (rate). Every answer is checked: a 200 with the expected body.
/// </summary>
internal static class HttpLoad
{
    /// <summary>A client for loopback servers: never through a proxy the environment names, connections kept alive.</summary>
    public static HttpClient CreateClient() =>
        new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { Timeout = TimeSpan.FromMinutes(1) };

    /// <summary>A POST of <paramref name="payload"/> as JSON.</summary>
    public static HttpRequestMessage Post(Uri uri, string payload) =>
        new(HttpMethod.Post, uri) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };

    /// <summary>
    /// A warm-up (connections, JIT, the runtime's own caches) of a fifth of <paramref name="count"/>, at
    /// most 200 requests, and at least <paramref name="warmUp"/> long; then <paramref name="count"/>
    /// requests one after the other, each built by <paramref name="request"/> before its clock starts.
    /// </summary>
    public static async Task<Latency> SequentialAsync(HttpClient client, Func<HttpRequestMessage> request, string expected, int count, TimeSpan warmUp = default)
    {
        var warming = Stopwatch.StartNew();
        for (var i = 0; i < Math.Min(200, count / 5 + 1) || warming.Elapsed < warmUp; i++)
        {
            await SendAsync(client, request(), expected);
        }

        var samples = new double[count];
        var total = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var message = request();
            var one = Stopwatch.GetTimestamp();
            await SendAsync(client, message, expected);
            samples[i] = Stopwatch.GetElapsedTime(one).TotalMilliseconds;
        }

        var seconds = total.Elapsed.TotalSeconds;
        Array.Sort(samples);
        return new Latency(samples[samples.Length / 2], samples[Math.Min(samples.Length - 1, (int)(samples.Length * 0.99))], count / seconds, samples);
    }

    /// <summary>
    /// <paramref name="clients"/> loops sending at once, <paramref name="count"/> requests in all after a
    /// warm-up with the same concurrency (as <see cref="SequentialAsync"/>'s): the rate achieved, in requests per second.
    /// </summary>
    public static async Task<double> ConcurrentAsync(HttpClient client, Func<HttpRequestMessage> request, string expected, int count, int clients, TimeSpan warmUp = default)
    {
        var warming = Stopwatch.StartNew();
        do
        {
            await RunAsync(Math.Min(200, count / 5 + 1));
        }
        while (warming.Elapsed < warmUp);

        var total = Stopwatch.StartNew();
        await RunAsync(count);
        return count / total.Elapsed.TotalSeconds;

        async Task RunAsync(int requests)
        {
            var left = requests;
            var loops = new Task[clients];
            for (var c = 0; c < clients; c++)
            {
                loops[c] = Task.Run(async () =>
                {
                    while (Interlocked.Decrement(ref left) >= 0)
                    {
                        await SendAsync(client, request(), expected);
                    }
                });
            }

            await Task.WhenAll(loops);
        }
    }

    /// <summary>Polls with <paramref name="request"/> until the answer is a 200 (a server starting up).</summary>
    public static async Task WaitUntilOkAsync(HttpClient client, Func<HttpRequestMessage> request, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var message = request();
                using var response = await client.SendAsync(message);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"timed out waiting until {what}");
            }

            await Task.Delay(50);
        }
    }

    private static async Task SendAsync(HttpClient client, HttpRequestMessage request, string expected)
    {
        using (request)
        {
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK || body != expected)
            {
                throw new InvalidOperationException($"{request.RequestUri} answered {(int)response.StatusCode}: {body}");
            }
        }
    }
}
