using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Lamina.Testing;

namespace Lamina.Bench;

/// <summary>
/// The conformance function's witness (examples/runtimes/node/index.mjs POSTs
/// <c>{"phase":"start"|"end","requestId":…}</c> to the URL in the event's <c>witness</c> key), timing
/// what the tests' <see cref="OverlapWitness"/> counts: the <see cref="Stopwatch"/> timestamp at which
/// each request id's start and end arrived, taken before the body is parsed. Listens on loopback, where
/// the bench's shim runs.
/// </summary>
internal sealed class TimestampWitness : IDisposable
{
    private readonly HttpListener _listener;
    private readonly ConcurrentDictionary<(string RequestId, string Phase), TaskCompletionSource<long>> _seen = new();

    private TimestampWitness(HttpListener listener, Uri url)
    {
        _listener = listener;
        Url = url;
        _ = ServeAsync();
    }

    public Uri Url { get; }

    public static TimestampWitness Start()
    {
        var (listener, url) = FreeHttpListener.Start("127.0.0.1", "/witness");
        return new TimestampWitness(listener, url);
    }

    /// <summary>When the function's execution with <paramref name="requestId"/> said it started (whether before or after this call).</summary>
    public Task<long> StartedAsync(string requestId, TimeSpan timeout) => SeenAsync(requestId, "start", timeout);

    /// <summary>When it said it ended (just before it returns its response).</summary>
    public Task<long> EndedAsync(string requestId, TimeSpan timeout) => SeenAsync(requestId, "end", timeout);

    public void Dispose() => _listener.Close();

    private async Task<long> SeenAsync(string requestId, string phase, TimeSpan timeout)
    {
        var seen = Entry(requestId, phase);
        try
        {
            return await seen.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"bench: the function did not report {phase} of request {requestId} within {timeout.TotalSeconds:F0} s");
        }
        finally
        {
            // Each is awaited once: the table holds only executions in flight.
            _seen.TryRemove((requestId, phase), out _);
        }
    }

    private TaskCompletionSource<long> Entry(string requestId, string phase) =>
        _seen.GetOrAdd((requestId, phase), static _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));

    private async Task ServeAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var arrived = Stopwatch.GetTimestamp();
            using (var document = await JsonDocument.ParseAsync(context.Request.InputStream))
            {
                var root = document.RootElement;
                if (root.GetProperty("phase").GetString() is { } phase && root.TryGetProperty("requestId", out var id) && id.GetString() is { } requestId)
                {
                    Entry(requestId, phase).TrySetResult(arrived);
                }
            }

            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }
}
