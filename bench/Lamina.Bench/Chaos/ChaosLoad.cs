using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Lamina.Testing;

namespace Lamina.Bench.Chaos;

/// <summary>
/// The chaos scenario's steady open-loop load through the release's gateway Service: sync invocations
/// of two functions (one with reserved concurrency, whose executions a witness counts for cap
/// violations) and Event invocations (whose executions another witness records by request id: an
/// event answered 202 that never ran is lost, one that ran twice a duplicate). Each stream sends at
/// its own fixed rate whatever came back before, each request at its intended time, until stopped.
/// A caller retries as the AWS SDKs' standard mode does: a sync invocation up to 3 tries on no
/// answer, a 5xx or a 429; an Event invocation, like <c>AsyncFaults</c>, until a 202 or 30 s.
/// </summary>
internal sealed class ChaosLoad : IAsyncDisposable
{
    /// <summary>The AWS SDKs' standard retry mode: 3 tries in all.</summary>
    public const int SyncTries = 3;

    /// <summary>The host's address on the cluster bridge, which function pods reach (the witnesses listen there).</summary>
    public const string BridgeAddress = "10.244.0.1";

    /// <summary>The capped function's executions each last this long, so several overlap at the offered rate and a violation could show.</summary>
    public const int CappedSleepMs = 200;

    /// <summary>A sync try's limit: the gateway queues an invocation up to 30 s for an environment, and the function's timeout is 30 s.</summary>
    private static readonly TimeSpan SyncTryTimeout = TimeSpan.FromSeconds(65);

    /// <summary>An Event try's limit: a stored event is answered in milliseconds, even while Redis is down.</summary>
    private static readonly TimeSpan EventTryTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long an event is tried before it counts as not accepted (AsyncFaults' SendTimeout).</summary>
    private static readonly TimeSpan EventSendTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The SDKs' base backoff: 100 ms, doubled each retry.</summary>
    private static readonly TimeSpan RetryBase = TimeSpan.FromMilliseconds(100);

    private readonly Uri _gateway;
    private readonly InvokeSigner _signer;
    private readonly string _functions;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _streams = [];
    private readonly ConcurrentBag<Task> _requests = [];
    private readonly ConcurrentBag<SyncCall> _syncCalls = [];
    private readonly ConcurrentBag<EventCall> _eventCalls = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private ChaosLoad(Uri gateway, InvokeSigner signer, string functions, Witness capWitness, Witness eventWitness)
    {
        _gateway = gateway;
        _signer = signer;
        _functions = functions;
        CapWitness = capWitness;
        EventWitness = eventWitness;
        // Connections live 2 s: kube-proxy balances connections, not requests, so callers reach both gateways.
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(2), ConnectTimeout = TimeSpan.FromSeconds(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public Witness CapWitness { get; }

    public Witness EventWitness { get; }

    public IReadOnlyCollection<SyncCall> SyncCalls => _syncCalls;

    public IReadOnlyCollection<EventCall> EventCalls => _eventCalls;

    /// <summary>Seconds since the load began: the time axis of every call.</summary>
    public double Now => _clock.Elapsed.TotalSeconds;

    /// <summary>Starts the three streams at the rates given (per second).</summary>
    public static ChaosLoad Start(Uri gateway, InvokeSigner signer, string functions, ChaosRates rates)
    {
        ArgumentNullException.ThrowIfNull(rates);
        var load = new ChaosLoad(gateway, signer, functions, Witness.Start(BridgeAddress), Witness.Start(BridgeAddress));
        var capped = $$"""{"witness":"{{load.CapWitness.Url}}","sleepMs":{{CappedSleepMs}}}""";
        var events = $$"""{"witness":"{{load.EventWitness.Url}}"}""";
        load._streams.Add(load.StreamAsync(rates.SteadyPerSecond, () => load.SyncAsync("steady", """{"chaos":"steady"}""")));
        load._streams.Add(load.StreamAsync(rates.CappedPerSecond, () => load.SyncAsync("capped", capped)));
        load._streams.Add(load.StreamAsync(rates.EventsPerSecond, () => load.EventAsync("steady", events)));
        return load;
    }

    /// <summary>Stops sending, then waits (bounded by the tries' own limits) for every request in flight to end.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_streams);
        await Task.WhenAll(_requests);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
        _http.Dispose();
        CapWitness.Dispose();
        EventWitness.Dispose();
    }

    /// <summary>Sends one request every 1/<paramref name="perSecond"/> s from its intended time until stopped.</summary>
    private async Task StreamAsync(double perSecond, Func<Task> send)
    {
        if (perSecond <= 0)
        {
            return;
        }

        var interval = Stopwatch.Frequency / perSecond;
        var first = Stopwatch.GetTimestamp();
        for (long i = 0; !_stop.IsCancellationRequested; i++)
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), first + (long)(i * interval));
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            _requests.Add(Task.Run(send));
        }
    }

    private async Task SyncAsync(string function, string payload)
    {
        var uri = new Uri(_gateway, $"/2015-03-31/functions/{_functions}.{function}/invocations");
        var sent = Now;
        var answers = new List<string>();
        for (var attempt = 0; attempt < SyncTries; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(RetryBase * (1 << (attempt - 1)));
            }

            using var timeout = new CancellationTokenSource(SyncTryTimeout);
            string answer;
            try
            {
                using var request = _signer.Post(uri, payload);
                using var response = await _http.SendAsync(request, timeout.Token);
                var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
                var status = (int)response.StatusCode;
                var error = Header(response, "X-Amz-Function-Error") ?? Header(response, "X-Amzn-ErrorType");
                answer = error is null ? $"{status}" : $"{status} {error}";
                if (status == (int)HttpStatusCode.TooManyRequests && ThrottleReason(body) is { } reason)
                {
                    // Which limit throttled it (reserved, the account's, the gateway's body budget) tells the faults apart.
                    answer += $" ({reason})";
                }
                if (status == 200 && Header(response, "X-Amz-Function-Error") is null)
                {
                    answers.Add(answer);
                    _syncCalls.Add(new SyncCall(function, sent, Now, answers, true));
                    return;
                }

                answers.Add(answer);
                // A function error is the function's answer: the SDKs do not try it again; nor a 4xx but throttling.
                if (status == 200 || (status < 500 && status != (int)HttpStatusCode.TooManyRequests))
                {
                    break;
                }
            }
            catch (HttpRequestException e)
            {
                answers.Add($"no answer ({e.HttpRequestError})");
            }
            catch (OperationCanceledException)
            {
                answers.Add($"no answer within {SyncTryTimeout.TotalSeconds:F0} s");
            }
        }

        _syncCalls.Add(new SyncCall(function, sent, Now, answers, false));
    }

    private async Task EventAsync(string function, string payload)
    {
        var uri = new Uri(_gateway, $"/2015-03-31/functions/{_functions}.{function}/invocations");
        var sent = Now;
        var started = Stopwatch.GetTimestamp();
        var answers = new List<string>();
        while (true)
        {
            using var timeout = new CancellationTokenSource(EventTryTimeout);
            try
            {
                using var request = _signer.Post(uri, payload);
                request.Headers.TryAddWithoutValidation("X-Amz-Invocation-Type", "Event");
                using var response = await _http.SendAsync(request, timeout.Token);
                await response.Content.ReadAsByteArrayAsync(timeout.Token);
                var status = (int)response.StatusCode;
                if (status == 202 && Header(response, "x-amzn-RequestId") is { } id)
                {
                    answers.Add("202");
                    _eventCalls.Add(new EventCall(sent, Now, answers, id));
                    return;
                }

                answers.Add(Header(response, "X-Amzn-ErrorType") is { } type ? $"{status} {type}" : $"{status}");
                if (status < 500)
                {
                    break;
                }

                await Task.Delay(RetryBase);
            }
            catch (HttpRequestException e)
            {
                answers.Add($"no answer ({e.HttpRequestError})");
            }
            catch (OperationCanceledException)
            {
                answers.Add($"no answer within {EventTryTimeout.TotalSeconds:F0} s");
            }

            if (Stopwatch.GetElapsedTime(started) > EventSendTimeout)
            {
                break;
            }
        }

        _eventCalls.Add(new EventCall(sent, Now, answers, null));
    }

    /// <summary>A throttle's <c>Reason</c> (Lambda's 429 body), or null when the body has none.</summary>
    private static string? ThrottleReason(byte[] body)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("Reason", out var reason) && reason.ValueKind == System.Text.Json.JsonValueKind.String ? reason.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
