using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace Lamina.Testing;

/// <summary>
/// The conformance function's witness for the single-threadedness check (Knative's conformance test
/// in spirit): every invocation POSTs <c>start</c> and <c>end</c> with its request id and pod name;
/// the witness counts, per pod, how many executions were inside at once. It listens on the host's
/// address on the cluster bridge, which the pods can reach.
/// </summary>
public sealed class OverlapWitness : IDisposable
{
    private readonly HttpListener _listener;
    private readonly ConcurrentDictionary<string, int> _inside = new();
    private readonly ConcurrentDictionary<string, int> _maximum = new();
    private readonly ConcurrentDictionary<int, int> _startsByTotal = new();
    private readonly ConcurrentDictionary<string, int> _startsByRequest = new();
    private readonly ConcurrentQueue<string> _events = new();
    private int _starts;
    private int _ends;
    private int _insideTotal;
    private int _maximumTotal;

    private OverlapWitness(HttpListener listener, Uri url)
    {
        _listener = listener;
        Url = url;
        _ = ServeAsync();
    }

    public Uri Url { get; }

    public int Starts => Volatile.Read(ref _starts);

    public int Ends => Volatile.Read(ref _ends);

    /// <summary>The most executions inside at once across every pod: what a reserved concurrency caps.</summary>
    public int MaximumTotal => Volatile.Read(ref _maximumTotal);

    /// <summary>How many executions started while <paramref name="cap"/> or more others were inside: each one a violation of that cap.</summary>
    public int StartsAbove(int cap) => _startsByTotal.Where(entry => entry.Key > cap).Sum(entry => entry.Value);

    /// <summary>How many executions started with each request id (async retries and redeliveries keep the id).</summary>
    public IReadOnlyDictionary<string, int> StartsByRequest => _startsByRequest;

    /// <summary>The events (JSON) functions with <c>CONFORMANCE_EVENTS_TO</c> set to <see cref="Url"/> were given, in arrival order.</summary>
    public IReadOnlyCollection<string> Events => _events;

    /// <summary>The most executions any one pod had at once.</summary>
    public IReadOnlyDictionary<string, int> MaximumByPod => _maximum;

    /// <summary>Listens on <paramref name="address"/> (the host's bridge address, e.g. 10.244.0.1).</summary>
    public static OverlapWitness Start(string address)
    {
        var (listener, url) = FreeHttpListener.Start(address, "/witness");
        return new OverlapWitness(listener, url);
    }

    public void Dispose() => _listener.Close();

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

            using (var document = await JsonDocument.ParseAsync(context.Request.InputStream).ConfigureAwait(false))
            {
                var phase = document.RootElement.GetProperty("phase").GetString();
                var pod = document.RootElement.GetProperty("pod").GetString() ?? "?";
                if (phase == "start")
                {
                    Interlocked.Increment(ref _starts);
                    var now = _inside.AddOrUpdate(pod, 1, (_, n) => n + 1);
                    var total = Interlocked.Increment(ref _insideTotal);
                    Volatile.Write(ref _maximumTotal, Math.Max(Volatile.Read(ref _maximumTotal), total));
                    _startsByTotal.AddOrUpdate(total, 1, (_, n) => n + 1);
                    if (document.RootElement.TryGetProperty("requestId", out var requestId) && requestId.GetString() is { } id)
                    {
                        _startsByRequest.AddOrUpdate(id, 1, (_, n) => n + 1);
                    }

                    _maximum.AddOrUpdate(pod, now, (_, m) => Math.Max(m, now));
                }
                else if (phase == "event")
                {
                    // CONFORMANCE_EVENTS_TO: what a function was given, not an execution to count.
                    _events.Enqueue(document.RootElement.GetProperty("event").GetRawText());
                }
                else
                {
                    Interlocked.Increment(ref _ends);
                    _inside.AddOrUpdate(pod, 0, (_, n) => n - 1);
                    Interlocked.Decrement(ref _insideTotal);
                }
            }

            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }
}
