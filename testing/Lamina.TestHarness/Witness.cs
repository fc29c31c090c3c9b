using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Lamina.Testing;

/// <summary>
/// The conformance function's witness (examples/runtimes/node/index.mjs): an invocation whose event
/// has <c>{"witness":"&lt;url&gt;"}</c> POSTs <c>{"phase":"start"|"end","requestId":…,"pod":…}</c>
/// here, and a function with <c>CONFORMANCE_EVENTS_TO</c> set to <see cref="Url"/> posts the events it
/// was given (<c>"phase":"event"</c>). The one witness of the tests and the bench, for three uses:
/// <list type="bullet">
/// <item>counting (Knative's single-threadedness check in spirit): how many executions were inside
/// at once, per pod and in all, and how many started per request id (async retries keep the id);</item>
/// <item>holding (<c>holdStarts</c>): each start is answered only after <see cref="Release"/>, so a
/// test knows an invocation is inside the runtime and keeps it there as long as it needs, without
/// guessing at sleep lengths;</item>
/// <item>timing (the bench): the <see cref="Stopwatch"/> timestamp at which each request id's start
/// and end arrived, taken before the body is parsed.</item>
/// </list>
/// </summary>
public sealed class Witness : IDisposable
{
    private readonly HttpListener _listener;
    private readonly bool _holdStarts;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _inside = [];
    private readonly ConcurrentDictionary<string, int> _maximum = new();
    private readonly ConcurrentDictionary<int, int> _startsByTotal = new();
    private readonly ConcurrentDictionary<string, int> _startsByRequest = new();
    private readonly ConcurrentDictionary<(string RequestId, string Phase), TaskCompletionSource<long>> _arrivals = new();
    private readonly ConcurrentQueue<string> _events = new();
    private readonly TaskCompletionSource<string> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _starts;
    private int _ends;
    private int _insideTotal;
    private int _maximumTotal;

    private Witness(HttpListener listener, Uri url, bool holdStarts)
    {
        _listener = listener;
        _holdStarts = holdStarts;
        Url = url;
        _ = ServeAsync();
    }

    public Uri Url { get; }

    public int Starts => Volatile.Read(ref _starts);

    public int Ends => Volatile.Read(ref _ends);

    /// <summary>The most executions inside at once across every pod: what a reserved concurrency caps.</summary>
    public int MaximumTotal => Volatile.Read(ref _maximumTotal);

    /// <summary>How many executions started with each request id (async retries and redeliveries keep the id).</summary>
    public IReadOnlyDictionary<string, int> StartsByRequest => _startsByRequest;

    /// <summary>The events (JSON) functions with <c>CONFORMANCE_EVENTS_TO</c> set to <see cref="Url"/> were given, in arrival order.</summary>
    public IReadOnlyCollection<string> Events => _events;

    /// <summary>The most executions any one pod had at once.</summary>
    public IReadOnlyDictionary<string, int> MaximumByPod => _maximum;

    /// <summary>The request id of the first invocation that reached its start, once one has.</summary>
    public Task<string> Started => _started.Task;

    /// <summary>The request id of the first invocation that reached its end phase.</summary>
    public Task<string> Ended => _ended.Task;

    /// <summary>
    /// Listens on <paramref name="address"/>: loopback, where the tests' and the bench's shims run, or
    /// the host's address on the cluster bridge (e.g. 10.244.0.1), which the pods reach. With
    /// <paramref name="holdStarts"/>, every start waits for <see cref="Release"/>.
    /// </summary>
    public static Witness Start(string address = "127.0.0.1", bool holdStarts = false)
    {
        var (listener, url) = FreeHttpListener.Start(address, "/witness");
        return new Witness(listener, url, holdStarts);
    }

    /// <summary>How many executions started while <paramref name="cap"/> or more others were inside: each one a violation of that cap.</summary>
    public int StartsAbove(int cap) => _startsByTotal.Where(entry => entry.Key > cap).Sum(entry => entry.Value);

    /// <summary>A payload for the conformance function that checks in here, with more JSON members after it.</summary>
    public string Payload(string more = "") => $$"""{"witness":"{{Url}}"{{(more.Length > 0 ? "," + more : string.Empty)}}}""";

    /// <summary>Lets the held start requests (and so the invocations) go on.</summary>
    public void Release() => _released.TrySetResult();

    /// <summary>When the execution with <paramref name="requestId"/> said it started (whether before or after this call).</summary>
    public Task<long> StartedAsync(string requestId, TimeSpan timeout) => ArrivedAsync(requestId, "start", timeout);

    /// <summary>When it said it ended (just before it returns its response).</summary>
    public Task<long> EndedAsync(string requestId, TimeSpan timeout) => ArrivedAsync(requestId, "end", timeout);

    public void Dispose()
    {
        Release();
        _listener.Close();
    }

    private async Task<long> ArrivedAsync(string requestId, string phase, TimeSpan timeout)
    {
        try
        {
            return await Arrival(requestId, phase).Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the function did not report {phase} of request {requestId} within {timeout.TotalSeconds:F0} s");
        }
        finally
        {
            // Each is awaited once: the table holds only executions in flight.
            _arrivals.TryRemove((requestId, phase), out _);
        }
    }

    private TaskCompletionSource<long> Arrival(string requestId, string phase) =>
        _arrivals.GetOrAdd((requestId, phase), static _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));

    private async Task ServeAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            // Before anything else: the bench times the arrival, not the parse.
            var arrived = Stopwatch.GetTimestamp();
            _ = AnswerAsync(context, arrived);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context, long arrived)
    {
        try
        {
            string? phase;
            using (var document = await JsonDocument.ParseAsync(context.Request.InputStream).ConfigureAwait(false))
            {
                var root = document.RootElement;
                phase = root.GetProperty("phase").GetString();
                var requestId = root.TryGetProperty("requestId", out var id) ? id.GetString() : null;
                var pod = root.TryGetProperty("pod", out var name) ? name.GetString() ?? "?" : "?";
                if (phase == "event")
                {
                    // CONFORMANCE_EVENTS_TO: what a function was given, not an execution to count.
                    _events.Enqueue(root.GetProperty("event").GetRawText());
                }
                else
                {
                    Count(phase == "start", pod, requestId);
                    if (requestId is not null && phase is not null)
                    {
                        Arrival(requestId, phase).TrySetResult(arrived);
                        (phase == "start" ? _started : _ended).TrySetResult(requestId);
                    }
                }
            }

            if (phase == "start" && _holdStarts)
            {
                await _released.Task.ConfigureAwait(false);
            }

            context.Response.StatusCode = 200;
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException or JsonException or KeyNotFoundException or IOException)
        {
            // The listener closed under a held request, or the caller went away: nothing to answer.
        }
    }

    /// <summary>Under one lock: starts and ends of one pod arrive on several connections at once.</summary>
    private void Count(bool start, string pod, string? requestId)
    {
        lock (_gate)
        {
            if (start)
            {
                _starts++;
                var now = _inside[pod] = _inside.GetValueOrDefault(pod) + 1;
                var total = ++_insideTotal;
                _maximumTotal = Math.Max(_maximumTotal, total);
                _startsByTotal.AddOrUpdate(total, 1, (_, n) => n + 1);
                if (requestId is not null)
                {
                    _startsByRequest.AddOrUpdate(requestId, 1, (_, n) => n + 1);
                }

                _maximum.AddOrUpdate(pod, now, (_, m) => Math.Max(m, now));
            }
            else
            {
                _ends++;
                _inside[pod] = _inside.GetValueOrDefault(pod) - 1;
                _insideTotal--;
            }
        }
    }
}
