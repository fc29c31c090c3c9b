using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Lamina.Bench.Cluster;
using Lamina.Bench.Reporting;
using Lamina.Gateway.Async;
using Lamina.Gateway.Routing;
using Lamina.Operator.Concurrency;
using Lamina.Testing;
using StackExchange.Redis;
using RedisServer = Lamina.Testing.RedisServer;

namespace Lamina.Bench;

/// <summary>
/// The <c>async</c> scenario's faults part, the bench form of the end-to-end test
/// <c>InvokeEvent_ThousandEventsWhileGatewaysAndWorkersAreKilledAndRedisRestarts_NoneLost</c> (issue 11: the
/// duplicate rate in the fault test). Event invocations of the loopback function, each naming the
/// conformance function's witness (<see cref="Witness"/>, which counts the starts of every request
/// id), are sent open-loop by a few clients over two gateway processes and run by two worker
/// processes, while the second gateway and the second worker are SIGKILLed and started again (the
/// worker's running and read events stay pending in the stream, for the other to claim) and Redis is
/// SIGKILLed and restarted. Every event answered 202 must run at least once (a
/// lost one fails the scenario); one that ran more than once is a duplicate, which at-least-once
/// delivery allows, and their share is the figure.
/// </summary>
internal static class AsyncFaults
{
    /// <summary>The end-to-end test's count: the scenario's size, at most this many.</summary>
    private const int MaximumEvents = 1000;

    /// <summary>bench-smoke's: enough for every path (a kill, a claim, retries), in a few seconds.</summary>
    private const int SmokeEvents = 50;

    /// <summary>The end-to-end test's boto3 threads.</summary>
    private const int Clients = 4;

    /// <summary>Gateway kills, as in the end-to-end test; Redis is killed in the second (bench-smoke: one round, Redis killed in it).</summary>
    private const int Rounds = 3;

    /// <summary>
    /// Events sent per second: 1000 take 20 s, so the three kills (a gateway takes about 2 s to start
    /// again) all fall while events arrive, not after a burst that was over in a second.
    /// </summary>
    private const double Rate = 50;

    /// <summary>bench-smoke's: 50 events over 2.5 s, its one round after 25.</summary>
    private const double SmokeRate = 20;

    /// <summary>The faults series' case in the report.</summary>
    private const string Case = "faults: gateway and worker SIGKILLs and a Redis kill";

    /// <summary>
    /// A killed gateway's pending events are taken over after this (60 s by default, a minute of missed
    /// refreshes), so that a run takes seconds, as in the end-to-end test (which uses 5 s).
    /// </summary>
    private static readonly TimeSpan ClaimThreshold = TimeSpan.FromSeconds(4);

    /// <summary>Running events are marked alive this often: the validator's limit, half of <see cref="ClaimThreshold"/>.</summary>
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The concurrency controller keeps a vanished gateway's leases for LeaseTtl + LeaseGrace (30 s + 5 s by
    /// default). The loopback function has one environment, which the killed gateway may be holding:
    /// for that long no event could run anywhere, the waiting ones would give up after the
    /// routing queue's 30 s and back off as system errors, and the figure would be the lease's, not the
    /// queue's. On a cluster other environments serve (and more are started) meanwhile. The controller
    /// still sends something every second, so a 4 s TTL is four missed messages.
    /// </summary>
    private static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(4);

    private static readonly TimeSpan LeaseGrace = TimeSpan.FromSeconds(1);

    /// <summary>How often the witness's counts are read: the resolution of every first-start time.</summary>
    private static readonly TimeSpan WitnessPoll = TimeSpan.FromMilliseconds(10);

    /// <summary>The pause before trying an event again after a 5xx (Redis down) or when neither gateway answered; after one try without an answer the other gateway is tried at once.</summary>
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(100);

    /// <summary>One try's limit: a stored event is answered in milliseconds, even while Redis is down (the gateway fails fast).</summary>
    private static readonly TimeSpan TryTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long one event is tried before it counts as not accepted: far longer than Redis or a gateway takes to start.</summary>
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Each round's wait for enough events to be accepted, and for the killed gateway to exit.</summary>
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(120);

    /// <summary>How long every accepted event has to run at least once after the last send: many claim thresholds.</summary>
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    /// <summary>How long, once all ran, the queue has to empty (no event left in the ages set, no execution inside), so every duplicate is counted.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(60);

    private static readonly FunctionKey Function = new(LoopbackFunction.Namespace, LoopbackFunction.FunctionName);

    /// <summary>The operator's settings for this part (see <see cref="LeaseTtl"/>); they matter only when a gateway vanishes.</summary>
    public static void ShortenLeases(ConcurrencyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.LeaseTtl = LeaseTtl;
        options.LeaseGrace = LeaseGrace;
    }

    /// <summary>Runs the faults part on an empty Redis: the lines to print, and how many events answered 202 never ran.</summary>
    public static async Task<(string[] Lines, int Lost)> MeasureAsync(ScenarioRun run, string kubeconfig, RedisServer redis, IDatabase db, HttpClient http, string[] store)
    {
        var report = run.Report;
        var count = Math.Min(run.SizeOr(MaximumEvents, SmokeEvents), MaximumEvents);
        var (rounds, redisRound, rate) = run.Smoke ? (1, 0, SmokeRate) : (Rounds, 1, Rate);
        string[] arguments =
        [
            "--auth=none", LoopbackFunction.DiscoveryArgument, .. store,
            $"--{AsyncOptions.Section}:{nameof(AsyncOptions.ClaimThreshold)}={ClaimThreshold:c}",
            $"--{AsyncOptions.Section}:{nameof(AsyncOptions.RefreshInterval)}={RefreshInterval:c}",
        ];

        using var witness = Witness.Start("127.0.0.1");
        var running = new List<GatewayProcess>();
        try
        {
            // Ready (/readyz: caches synced, Redis connected) is all an Event invocation needs; the first
            // events wait for the controller's lease as any would.
            var gateways = await Task.WhenAll(StartAsync(worker: false), StartAsync(worker: false));
            var workers = await Task.WhenAll(StartAsync(worker: true), StartAsync(worker: true));

            var firstStarts = new ConcurrentDictionary<string, long>();
            using var stopReading = new CancellationTokenSource();
            var reading = ReadFirstStartsAsync(witness, firstStarts, stopReading.Token);

            var sends = new Send[count];
            var answers = new ConcurrentDictionary<string, int>();
            var acceptedSoFar = 0;
            var next = -1;
            var interval = Stopwatch.Frequency / rate;
            var first = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 10);
            var sending = Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(ClientAsync)));

            for (var round = 0; round < rounds; round++)
            {
                var threshold = count * (round + 1) / (rounds + 1);
                await Eventually.HoldsAsync(() => Volatile.Read(ref acceptedSoFar) >= threshold || sending.IsCompleted, StepTimeout, $"{threshold} events accepted");
                foreach (var victim in new[] { gateways[1], workers[1] })
                {
                    victim.Process.Signal("KILL");
                    await victim.Process.WaitForExitAsync(StepTimeout);
                    lock (running)
                    {
                        running.Remove(victim);
                    }

                    await victim.DisposeAsync();
                }

                if (round == redisRound)
                {
                    // While that gateway is down: callers get no answer from it and 500 from the other.
                    await redis.KillAsync();
                    await redis.RestartAsync();
                }

                Volatile.Write(ref gateways[1], await StartAsync(worker: false));
                workers[1] = await StartAsync(worker: true);
            }

            await sending;
            var accepted = sends.Where(s => s.RequestId is not null).ToList();
            var lost = new List<string>();
            try
            {
                await Eventually.HoldsAsync(() => accepted.TrueForAll(s => firstStarts.ContainsKey(s.RequestId!)), RunTimeout, "every event answered 202 ran");
            }
            catch (TimeoutException)
            {
                lost = [.. accepted.Select(s => s.RequestId!).Where(id => !witness.StartsByRequest.ContainsKey(id))];
            }

            // A redelivery can still be on its way when the first run of its event has been seen.
            var drained = true;
            var ages = AsyncKeys.Ages(Function);
            try
            {
                await Eventually.HoldsAsync(async () => witness.Starts == witness.Ends && await LengthAsync(db, ages) == 0, DrainTimeout, "the queue is empty");
            }
            catch (TimeoutException)
            {
                drained = false;
            }

            await stopReading.CancelAsync();
            await reading;
            return (Report(), lost.Count);

            string[] Report()
            {
                var starts = witness.StartsByRequest;
                var ids = accepted.Select(s => s.RequestId!).ToHashSet();
                var duplicates = accepted.Sum(s => starts.TryGetValue(s.RequestId!, out var n) ? n - 1 : 0);
                var duplicated = accepted.Count(s => starts.TryGetValue(s.RequestId!, out var n) && n > 1);
                var strangers = starts.Keys.Count(id => !ids.Contains(id));
                var rateOfDuplicates = (double)duplicates / Math.Max(1, accepted.Count);
                var toStart = accepted.Where(s => firstStarts.ContainsKey(s.RequestId!))
                    .Select(s => Stopwatch.GetElapsedTime(s.SentAt, firstStarts[s.RequestId!]).TotalMilliseconds).ToList();
                var enqueue = accepted.Select(s => Stopwatch.GetElapsedTime(s.FirstSentAt, s.AnsweredAt).TotalMilliseconds).ToList();
                var lastAnswer = accepted.Count == 0 ? first : accepted.Max(s => s.AnsweredAt);
                var lastFirstStart = accepted.Where(s => firstStarts.ContainsKey(s.RequestId!)).Select(s => firstStarts[s.RequestId!]).DefaultIfEmpty(lastAnswer).Max();
                var retries = sends.Sum(s => s.Tries - 1);
                var notAccepted = sends.Where(s => s.RequestId is null).GroupBy(s => s.Last).Select(g => $"{g.Count()} {g.Key}");

                report.Series.Add(Series.Of(Case, $"lamina async (the try answered 202 -> the function's first start; {WitnessPoll.TotalMilliseconds:F0} ms resolution)", toStart, requestsPerSecond: rate, errors: count - accepted.Count));
                report.Series.Add(Series.Of(Case, "enqueue (first try -> 202, retries included)", enqueue, errors: count - accepted.Count));
                report.Ratios.Add(new RatioResult("faults: duplicate rate (duplicates / events answered 202)", rateOfDuplicates));
                report.Ratios.Add(new RatioResult("faults: lost / events answered 202", (double)lost.Count / Math.Max(1, accepted.Count)));
                report.Targets.Add(new TargetResult("faults: 0 events answered 202 lost (gateway and worker SIGKILLs, Redis kill)", lost.Count, lost.Count == 0));
                return
                [
                    $"async: faults: {count} Event invocations naming the witness, sent open-loop at {rate:F0}/s by {Clients} clients alternately to two gateways (ClaimThreshold {ClaimThreshold.TotalSeconds:F0} s, RefreshInterval {RefreshInterval.TotalSeconds:F0} s; 60 s and 10 s by default), while the second gateway and the second worker were SIGKILLed and started again {rounds} time{(rounds == 1 ? "" : "s")} (after each further 1/{rounds + 1} of the events was accepted), and Redis was SIGKILLed and restarted once (while that gateway was down, in round {redisRound + 1}); the operator's LeaseTtl {LeaseTtl.TotalSeconds:F0} s + {LeaseGrace.TotalSeconds:F0} s grace (30 s + 5 s by default: the one environment's lease would outlive a killed gateway that long); {Stopwatch.GetElapsedTime(first, lastFirstStart).TotalSeconds:F1} s from the first send until every accepted event had run",
                    $"async: faults: sent {count}, accepted (202) {accepted.Count}, not accepted {count - accepted.Count}{(count == accepted.Count ? "" : $" (last answers: {string.Join(", ", notAccepted)})")}; answers other than 202, over every try: {Kinds(answers)}; {retries} retries (to the other gateway: at once after no answer, its gateway killed, 100 ms after a 5xx, Redis down), {sends.Count(s => s.Tries > 1)} events needed more than one try",
                    $"async: faults: lost (answered 202, never ran): {lost.Count} (target 0: {(lost.Count == 0 ? "met" : "NOT met")}){(lost.Count == 0 ? "" : $": {string.Join(", ", lost.Take(10))}")}; duplicates (starts - 1 summed over the accepted request ids): {duplicates}, on {duplicated} events; duplicate rate {rateOfDuplicates:P2} ({duplicates} / {accepted.Count}); request ids run that no client was answered 202 for (stored by a gateway killed before it answered): {strangers}{(drained ? "" : $"; the queue was NOT empty {DrainTimeout.TotalSeconds:F0} s after every event had run: duplicates counted until then")}",
                    $"async: faults: the try answered 202 -> the function's first start (witness read every {WitnessPoll.TotalMilliseconds:F0} ms): p50 {Percentile.Of(toStart, 0.5):F0} ms, p95 {Percentile.Of(toStart, 0.95):F0} ms, p99 {Percentile.Of(toStart, 0.99):F0} ms, max {Percentile.Of(toStart, 1):F0} ms (the tail: events read by a gateway that was then killed, which wait ClaimThreshold and the next claim pass, or while the function's one environment was busy with the other gateway's backlog); from the last send (its 202) to the last first start {Stopwatch.GetElapsedTime(lastAnswer, lastFirstStart).TotalSeconds:F1} s; enqueue, first try -> 202 (retries included): p50 {Percentile.Of(enqueue, 0.5):F1} ms, p99 {Percentile.Of(enqueue, 0.99):F1} ms, max {Percentile.Of(enqueue, 1):F0} ms",
                ];
            }

            async Task ClientAsync()
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), first + (long)(i * interval));
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait);
                    }

                    sends[i] = await SendAsync(i);
                    if (sends[i].RequestId is not null)
                    {
                        Interlocked.Increment(ref acceptedSoFar);
                    }
                }
            }

            // Tries event i until a 202 or a 4xx, alternating between the gateways (the second may be down).
            async Task<Send> SendAsync(int i)
            {
                var payload = $$"""{"witness":"{{witness.Url}}","n":{{i}}}""";
                var firstSent = Stopwatch.GetTimestamp();
                for (var attempt = 0; ; attempt++)
                {
                    var gateway = Volatile.Read(ref gateways[(i + attempt) % gateways.Length]);
                    var sent = Stopwatch.GetTimestamp();
                    string answer;
                    var answered = true;
                    try
                    {
                        using var timeout = new CancellationTokenSource(TryTimeout);
                        using var request = AsyncBenchmark.EventRequest(LoopbackFunction.InvokeUri(gateway), payload);
                        using var response = await http.SendAsync(request, timeout.Token);
                        if (response.StatusCode == HttpStatusCode.Accepted)
                        {
                            var id = response.Headers.TryGetValues("X-Amz-Request-Id", out var values) ? values.First() : throw new InvalidOperationException($"{request.RequestUri} answered 202 without X-Amz-Request-Id");
                            return new Send(id, firstSent, sent, Stopwatch.GetTimestamp(), attempt + 1, "202");
                        }

                        var type = response.Headers.TryGetValues("X-Amzn-ErrorType", out var types) ? $" {types.First()}" : "";
                        answer = $"{(int)response.StatusCode}{type}";
                        answers.AddOrUpdate(answer, 1, static (_, n) => n + 1);
                        if ((int)response.StatusCode < 500)
                        {
                            return new Send(null, firstSent, sent, Stopwatch.GetTimestamp(), attempt + 1, answer);
                        }
                    }
                    catch (HttpRequestException e)
                    {
                        (answer, answered) = ($"no answer ({e.HttpRequestError})", false);
                        answers.AddOrUpdate(answer, 1, static (_, n) => n + 1);
                    }
                    catch (OperationCanceledException)
                    {
                        (answer, answered) = ($"no answer (none within {TryTimeout.TotalSeconds:F0} s)", false);
                        answers.AddOrUpdate(answer, 1, static (_, n) => n + 1);
                    }

                    if (Stopwatch.GetElapsedTime(firstSent) > SendTimeout)
                    {
                        return new Send(null, firstSent, sent, Stopwatch.GetTimestamp(), attempt + 1, answer);
                    }

                    // No answer: the other gateway at once; after a 5xx, or when neither answered, a pause first.
                    if (answered || attempt % gateways.Length == gateways.Length - 1)
                    {
                        await Task.Delay(RetryPause);
                    }
                }
            }
        }
        finally
        {
            foreach (var gateway in running)
            {
                await gateway.DisposeAsync();
            }
        }

        async Task<GatewayProcess> StartAsync(bool worker)
        {
            // A worker serves no Invoke API: it takes the same settings without --auth.
            var gateway = worker
                ? await GatewayProcess.StartWorkerAsync(kubeconfig, arguments.Where(static a => !a.StartsWith("--auth", StringComparison.Ordinal)))
                : await GatewayProcess.StartAsync(kubeconfig, arguments);
            lock (running)
            {
                running.Add(gateway);
            }

            return gateway;
        }
    }

    /// <summary>"12 no answer (ConnectionError), 3 500 ServiceException": answers by kind, the most frequent first.</summary>
    private static string Kinds(IReadOnlyDictionary<string, int> answers) =>
        answers.Count == 0 ? "none" : string.Join(", ", answers.OrderByDescending(kind => kind.Value).Select(kind => $"{kind.Value} {kind.Key}"));

    /// <summary>The length of sorted set <paramref name="key"/>, or -1 while Redis cannot say (it is restarting).</summary>
    private static async Task<long> LengthAsync(IDatabase db, RedisKey key)
    {
        try
        {
            return await db.SortedSetLengthAsync(key);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return -1;
        }
    }

    /// <summary>
    /// Notes when each request id first appears in the witness's counts, reading them every
    /// <see cref="WitnessPoll"/> (only when an id was added since the last read).
    /// </summary>
    private static async Task ReadFirstStartsAsync(Witness witness, ConcurrentDictionary<string, long> firstStarts, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (witness.StartsByRequest.Count != firstStarts.Count)
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var id in witness.StartsByRequest.Keys)
                {
                    firstStarts.TryAdd(id, now);
                }
            }

            try
            {
                await Task.Delay(WitnessPoll, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>How one event was sent: its request id when answered 202, the try that was, and the last answer.</summary>
    private readonly record struct Send(string? RequestId, long FirstSentAt, long SentAt, long AnsweredAt, int Tries, string Last);
}
