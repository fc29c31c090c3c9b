using System.Diagnostics;
using System.Net;
using System.Text;
using Lamina.Bench.Reporting;
using Lamina.Gateway.Async;
using Lamina.Gateway.Routing;
using Lamina.Testing;
using StackExchange.Redis;
using RedisServer = Lamina.Testing.RedisServer;

namespace Lamina.Bench;

/// <summary>
/// Async (<c>Event</c>) invocations (docs/async.md) of the loopback function (<see cref="LoopbackFunction"/>:
/// the published shim + Node RIC, leased from the in-process operator) through gateway processes that
/// store events in a real Redis (<see cref="RedisServer"/>: AOF with <c>appendfsync always</c>, as
/// Lamina requires, so every write waits for an fsync), in three parts:
/// <list type="bullet">
/// <item>Enqueue: Event invocations answered 202, by 1 and by 8 clients, against the baseline B5, a bare
/// <c>XADD</c> of the same payload on the same Redis from the bench process (StackExchange.Redis, one
/// multiplexed connection as in the gateway), by 1 and by 8 callers.</item>
/// <item>End to end: from sending an Event invocation to the function starting it (its witness POST
/// arriving at <see cref="Witness"/>), one event at a time, against a synchronous invoke of the
/// same payload through the same gateway.</item>
/// <item>Faults (<see cref="AsyncFaults"/>): events sent over two gateways while one is SIGKILLed and
/// started again and Redis is killed and restarted; none answered 202 may be lost, and the duplicate
/// rate is the figure.</item>
/// </list>
/// </summary>
internal sealed class AsyncBenchmark : IScenario
{
    private const string Payload = """{"bench":"async enqueue","n":12345}""";

    /// <summary>The concurrent enqueue figure's clients: more than the cores, so Redis can batch fsyncs.</summary>
    private const int ManyClients = 8;

    /// <summary>The baseline's stream: in no function's registry, so no worker ever reads it.</summary>
    private const string BaselineStream = "bench:xadd";

    /// <summary>Each enqueue series' own warm-up (as the gateway benchmark's: tiered JIT settles in time, not in requests).</summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    /// <summary>The workers' default poll interval, which the end-to-end latency is measured with.</summary>
    private static readonly TimeSpan PollInterval = new AsyncOptions().PollInterval;

    /// <summary>One event's wait for the function to run it: far longer than a poll, short enough to fail a broken run.</summary>
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long an idle gateway's CPU use is measured: some hundred ticks of 10 ms.</summary>
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(5);

    /// <summary>bench-smoke's: long enough to read the counters twice.</summary>
    private static readonly TimeSpan SmokeIdleWindow = TimeSpan.FromMilliseconds(500);

    /// <summary>The steady load's rate, events per second: well within one environment's capacity (an invocation takes about 2 ms here).</summary>
    private const int SteadyRate = 20;

    private static readonly FunctionKey Function = new(LoopbackFunction.Namespace, LoopbackFunction.FunctionName);

    public string Name => "async";

    public string Summary => "Event invocations through the gateway and Redis (AOF, appendfsync always): enqueue p50/p99 and events/s vs a bare XADD (B5), 1 and 8 clients; send -> function start vs a synchronous invoke; gateway CPU; under faults (gateway SIGKILLs, a Redis kill): lost (target 0) and the duplicate rate";

    public bool NeedsCluster => false;

    public async Task RunAsync(ScenarioRun run)
    {
        var report = run.Report;
        var shim = run.Shim;
        var events = run.SizeOr(2000, 20);
        var idleWindow = run.Smoke ? SmokeIdleWindow : IdleWindow;
        Console.WriteLine($"== async: Event invocations through the gateway and Redis (AOF, appendfsync always), {events} events per series ==");
        // Before anything starts: without Redis nothing here can run (the message names hack/redis.sh).
        _ = RedisServer.BinaryPath;
        var layout = RepositoryLayout.Discover();
        await using var redis = await RedisServer.StartAsync();
        await using var function = await LoopbackFunction.StartAsync(shim, layout, AsyncFaults.ShortenLeases);
        var configuration = ConfigurationOptions.Parse(redis.ConnectionString);
        // FLUSHALL between the parts.
        configuration.AllowAdmin = true;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        // Every gateway of the run shares the key that signs the events it stores (docs/async.md).
        string[] store = [$"--Lamina:Gateway:Async:Redis={redis.ConnectionString}", "--Lamina:Gateway:Async:EventSigningKey=bench-async-event-signing-key-0123456789"];
        using var http = HttpLoad.CreateClient();

        string[] enqueueLines;
        double asleep, polling;
        // No worker runs while the enqueue is measured (a gateway runs none): the figure is the
        // enqueue path alone, without the shim, the runtime and a second Redis write per event on the same 2 cores.
        await using (var gateway = await GatewayProcess.StartAsync(function.Kubeconfig, ["--auth=none", LoopbackFunction.DiscoveryArgument, .. store]))
        {
            enqueueLines = await MeasureEnqueueAsync(run, gateway, connection.GetDatabase(), http, events);
            asleep = await IdleCpuAsync(gateway, idleWindow);
        }

        // The events just stored would otherwise be run by the worker, beside the latency being measured.
        await server.FlushAllDatabasesAsync();
        string[] endToEndLines;
        await using (var gateway = await GatewayProcess.StartAsync(function.Kubeconfig, ["--auth=none", LoopbackFunction.DiscoveryArgument, .. store]))
        await using (var worker = await GatewayProcess.StartWorkerAsync(function.Kubeconfig, [LoopbackFunction.DiscoveryArgument, .. store]))
        {
            endToEndLines = [.. await MeasureEndToEndAsync(report, gateway, connection.GetDatabase(), http, events), await MeasureSteadyAsync(report, gateway, http, events)];
            polling = await IdleCpuAsync(worker, idleWindow);
        }

        // The faults part counts every event left in Redis as its own.
        await server.FlushAllDatabasesAsync();
        var (faultLines, lost) = await AsyncFaults.MeasureAsync(run, function.Kubeconfig, redis, connection.GetDatabase(), http, store);

        string[] lines =
        [
            $"async: Redis {server.Version} on loopback (AOF, appendfsync always: every write, XADD or the gateway's enqueue script, waits for an fsync before its reply; one fsync serves every write of one event-loop turn); one environment: the published shim + Node RIC on loopback leased from the operator's concurrency controller (its LeaseTtl shortened for the faults part: it matters only when a gateway vanishes); gateways with --auth=none",
            .. enqueueLines,
            .. endToEndLines,
            $"async: idle CPU ({idleWindow.TotalSeconds:F1} s after its series): the gateway {asleep:F1} ms per second (it runs no workers), a worker {polling:F1} ms per second polling one function's stream every {PollInterval.TotalMilliseconds:F0} ms",
            .. faultLines,
        ];
        foreach (var line in lines)
        {
            report.Say(line);
        }

        if (lost > 0)
        {
            throw new InvalidOperationException($"async: faults: {lost} events answered 202 never ran");
        }
    }

    private static async Task<string[]> MeasureEnqueueAsync(ScenarioRun run, GatewayProcess gateway, IDatabase db, HttpClient http, int events)
    {
        // bench-smoke: one round, no warm-up round and no timed warm-up; every series still measured.
        var (rounds, warmUpRound, warmUp) = run.Smoke ? (1, false, TimeSpan.Zero) : (InterleavedRounds.Count, true, WarmUp);
        var uri = LoopbackFunction.InvokeUri(gateway);
        var payload = Encoding.UTF8.GetBytes(Payload);
        var pid = gateway.Process.ProgramId;
        var gatewayCpu = TimeSpan.Zero;
        var accepted = 0;

        async Task ToGatewayAsync()
        {
            using var request = EventRequest(uri, Payload);
            using var response = await http.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"{uri} answered an Event invocation with {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            Interlocked.Increment(ref accepted);
        }

        // The same payload under the gateway's own field names; the gateway stores a few more small fields
        // (enqueuedAt, attempt, …) and adds the request id to the ages set in the same script.
        Task ToRedisAsync() => db.StreamAddAsync(BaselineStream, [new NameValueEntry("requestId", Guid.NewGuid().ToString("D")), new NameValueEntry("payload", payload)]);

        async Task<Latency> ThroughGatewayAsync(int clients)
        {
            var before = ProcessCpu.Of(pid);
            var latency = await TimedLoad.RunAsync(ToGatewayAsync, events, clients, warmUp);
            gatewayCpu += ProcessCpu.Of(pid) - before;
            return latency;
        }

        await WaitUntilAsync(ToGatewayAsync, TimeSpan.FromSeconds(60), "the gateway accepts an Event invocation");
        accepted = 0;
        var series = await InterleavedRounds.RunAsync(
        [
            () => ThroughGatewayAsync(1),
            () => TimedLoad.RunAsync(ToRedisAsync, events, 1, warmUp),
            () => ThroughGatewayAsync(ManyClients),
            () => TimedLoad.RunAsync(ToRedisAsync, events, ManyClients, warmUp),
        ], rounds, warmUpRound);
        var (gateway1, xadd1, gatewayMany, xaddMany) = (series[0], series[1], series[2], series[3]);
        var report = run.Report;
        var cpuPerEvent = gatewayCpu.TotalSeconds / Math.Max(1, Volatile.Read(ref accepted));
        foreach (var (who, gatewaySeries, xaddSeries) in new[] { ("enqueue, 1 client", gateway1, xadd1), ($"enqueue, {ManyClients} clients", gatewayMany, xaddMany) })
        {
            report.Series.Add(gatewaySeries.ToSeries(who, "lamina (gateway 202)", cpuSecondsPerRequest: cpuPerEvent));
            report.Series.Add(xaddSeries.ToSeries(who, "B5 bare XADD"));
            report.Ratios.Add(new RatioResult($"{who}: gateway / XADD events/s", gatewaySeries.PerSecond / xaddSeries.PerSecond));
            report.Ratios.Add(new RatioResult($"{who}: gateway / XADD p50", gatewaySeries.P50 / xaddSeries.P50));
        }

        return
        [
            $"async: enqueue: medians of {rounds} interleaved rounds ({(warmUpRound ? "after a warm-up round" : "no warm-up round")}) of {events} events per series, {Payload.Length}-byte payload; no worker ran (a gateway runs none): nothing ran beside the enqueues (the function idle, no worker traffic on Redis)",
            Enqueue("1 client", gateway1, xadd1),
            Enqueue($"{ManyClients} clients", gatewayMany, xaddMany),
            $"async: enqueue: gateway CPU {gatewayCpu.TotalMilliseconds / Volatile.Read(ref accepted):F3} ms per event answered 202 (utime+stime over every gateway series, warm-ups included)",
        ];
    }

    private static string Enqueue(string who, Latency gateway, Latency xadd) =>
        $"async: enqueue, {who}: gateway 202 p50 {gateway.P50:F3} ms, p99 {gateway.P99:F3} ms, {gateway.PerSecond:F0} events/s; bare XADD (B5) p50 {xadd.P50:F3} ms, p99 {xadd.P99:F3} ms, {xadd.PerSecond:F0} writes/s; gateway / XADD {gateway.PerSecond / xadd.PerSecond:F2}x the rate, {gateway.P50 - xadd.P50:+0.000;-0.000} ms at p50, {gateway.P99 - xadd.P99:+0.000;-0.000} ms at p99";

    /// <summary>
    /// Alternately an Event invocation and a synchronous one of the same payload, one at a time: each
    /// event is sent only after the previous one is final in Redis, so the figure is latency, not
    /// queueing. An idle worker reads every <see cref="PollInterval"/> counted from its last read, which
    /// was the one that found the previous event; so each event is sent after a random pause within one
    /// interval, or every event would arrive at the same point of the worker's wait.
    /// </summary>
    private static async Task<string[]> MeasureEndToEndAsync(ScenarioReport report, GatewayProcess gateway, IDatabase db, HttpClient http, int events)
    {
        using var witness = Witness.Start();
        var uri = LoopbackFunction.InvokeUri(gateway);
        var payload = $$"""{"witness":"{{witness.Url}}","n":12345}""";
        var ages = AsyncKeys.Ages(Function);
        var pid = gateway.Process.ProgramId;
        var random = new Random(20260314);
        await HttpLoad.WaitUntilOkAsync(http, () => HttpLoad.Post(uri, payload), TimeSpan.FromSeconds(60), "the gateway invokes the function");

        // The first events lease the environment, create the consumer group and warm the JIT: not counted.
        var warmUp = Math.Min(50, events / 5 + 1);
        var toStart = new double[events];
        var syncRoundTrip = new double[events];
        var syncToStart = new double[events];
        var (asyncCpu, syncCpu) = (TimeSpan.Zero, TimeSpan.Zero);
        var (asyncTime, syncTime) = (TimeSpan.Zero, TimeSpan.Zero);
        var total = Stopwatch.StartNew();
        var totalCpu = TimeSpan.Zero;
        for (var i = -warmUp; i < events; i++)
        {
            if (i == 0)
            {
                total.Restart();
                totalCpu = ProcessCpu.Of(pid);
            }

            await Task.Delay(random.NextDouble() * PollInterval);

            var cpu = ProcessCpu.Of(pid);
            var sent = Stopwatch.GetTimestamp();
            var id = await SendAsync(http, EventRequest(uri, payload), HttpStatusCode.Accepted, "");
            var started = await witness.StartedAsync(id, EventTimeout);
            await witness.EndedAsync(id, EventTimeout);
            await WaitUntilFinalAsync(db, ages, id);
            if (i >= 0)
            {
                asyncCpu += ProcessCpu.Of(pid) - cpu;
                asyncTime += Stopwatch.GetElapsedTime(sent);
                toStart[i] = Stopwatch.GetElapsedTime(sent, started).TotalMilliseconds;
            }

            cpu = ProcessCpu.Of(pid);
            sent = Stopwatch.GetTimestamp();
            id = await SendAsync(http, HttpLoad.Post(uri, payload), HttpStatusCode.OK, payload);
            var answered = Stopwatch.GetTimestamp();
            started = await witness.StartedAsync(id, EventTimeout);
            await witness.EndedAsync(id, EventTimeout);
            if (i >= 0)
            {
                syncCpu += ProcessCpu.Of(pid) - cpu;
                syncTime += Stopwatch.GetElapsedTime(sent);
                syncRoundTrip[i] = Stopwatch.GetElapsedTime(sent, answered).TotalMilliseconds;
                syncToStart[i] = Stopwatch.GetElapsedTime(sent, started).TotalMilliseconds;
            }
        }

        var elapsed = total.Elapsed;
        totalCpu = ProcessCpu.Of(pid) - totalCpu;
        // What the gateway burns between events (the workers' idle polls, timers): per second of that
        // time, and so what part of an event's window is that, not the event.
        var idlePerSecond = (totalCpu - asyncCpu - syncCpu).TotalMilliseconds / (elapsed - asyncTime - syncTime).TotalSeconds;
        Array.Sort(toStart);
        Array.Sort(syncRoundTrip);
        Array.Sort(syncToStart);
        var (p50, p95, p99) = (Percentile(toStart, 0.50), Percentile(toStart, 0.95), Percentile(toStart, 0.99));
        var syncP50 = Percentile(syncRoundTrip, 0.50);
        const string OneAtATime = "end to end, one event at a time";
        report.Series.Add(Series.Of(OneAtATime, "lamina async (send -> function starts)", toStart, cpuSecondsPerRequest: asyncCpu.TotalSeconds / events));
        report.Series.Add(Series.Of(OneAtATime, "synchronous invoke round trip (baseline)", syncRoundTrip, cpuSecondsPerRequest: syncCpu.TotalSeconds / events));
        report.Series.Add(Series.Of(OneAtATime, "synchronous invoke (send -> function starts)", syncToStart));
        report.Ratios.Add(new RatioResult("async send -> start p50 / sync round trip p50", p50 / syncP50));
        return
        [
            $"async: end to end: {events} events one at a time (after {warmUp} not counted), each sent after the previous one was final in Redis and a random pause within one poll interval; one worker process runs them, polling every {PollInterval.TotalMilliseconds:F0} ms when idle (the default, Lamina:Gateway:Async:PollInterval) and woken over Redis pub/sub by each stored event; alternating with a synchronous invoke of the same {payload.Length}-byte payload (it names the witness) through the same gateway (the baseline); nothing else ran; {elapsed.TotalMinutes:F1} min",
            $"async: end to end, send -> the function starts (its witness POST arrives): p50 {p50:F3} ms, p95 {p95:F3} ms, p99 {p99:F3} ms, min {toStart[0]:F3} ms, max {toStart[^1]:F3} ms",
            $"async: synchronous invoke (baseline): round trip p50 {syncP50:F3} ms, p99 {Percentile(syncRoundTrip, 0.99):F3} ms; send -> the function starts p50 {Percentile(syncToStart, 0.50):F3} ms; async send -> start p50 / sync round trip p50 {p50 / syncP50:F1}x ({p50 - syncP50:+0.000;-0.000} ms) (the gateway announces each stored event and the idle worker reads at once; without that, half a poll interval, {PollInterval.TotalMilliseconds / 2:F0} ms, would be the expected wait)",
            $"async: gateway CPU (utime+stime summed over each invocation's window; 10 ms ticks, so approximate): {asyncCpu.TotalMilliseconds / events:F3} ms per event (from send until final in Redis: 202, read, invoke, acknowledge; {asyncTime.TotalMilliseconds / events:F0} ms long on average) vs {syncCpu.TotalMilliseconds / events:F3} ms per synchronous invoke; between invocations the gateway used {idlePerSecond:F1} ms CPU per second, so {(asyncCpu.TotalMilliseconds - idlePerSecond * asyncTime.TotalSeconds) / events:F3} ms per event net of that",
        ];
    }

    /// <summary>
    /// End to end at steady load: events sent open-loop at <see cref="SteadyRate"/> per second (each at its
    /// intended time, whatever the answers before it did, so queueing is not hidden), latency from the
    /// intended send time to the function's start.
    /// </summary>
    private static async Task<string> MeasureSteadyAsync(ScenarioReport report, GatewayProcess gateway, HttpClient http, int events)
    {
        using var witness = Witness.Start();
        var uri = LoopbackFunction.InvokeUri(gateway);
        var payload = $$"""{"witness":"{{witness.Url}}","n":12345}""";
        var count = Math.Min(events, SteadyRate * 30);
        var interval = Stopwatch.Frequency / SteadyRate;
        var first = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
        var sends = new Task<(long Intended, string Id)>[count];
        for (var i = 0; i < count; i++)
        {
            var intended = first + (i * interval);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), intended);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            sends[i] = SendAtAsync(intended);
        }

        var toStart = new double[count];
        for (var i = 0; i < count; i++)
        {
            var (intended, id) = await sends[i];
            toStart[i] = Stopwatch.GetElapsedTime(intended, await witness.StartedAsync(id, EventTimeout)).TotalMilliseconds;
        }

        Array.Sort(toStart);
        report.Series.Add(Series.Of($"end to end, open loop at {SteadyRate}/s", "lamina async (intended send -> function starts)", toStart, requestsPerSecond: SteadyRate));
        return $"async: end to end at steady load: {count} events open-loop at {SteadyRate}/s (from each intended send time), send -> the function starts: p50 {Percentile(toStart, 0.50):F3} ms, p95 {Percentile(toStart, 0.95):F3} ms, p99 {Percentile(toStart, 0.99):F3} ms, max {toStart[^1]:F3} ms";

        async Task<(long, string)> SendAtAsync(long intended) => (intended, await SendAsync(http, EventRequest(uri, payload), HttpStatusCode.Accepted, ""));
    }

    /// <summary>The CPU <paramref name="gateway"/> uses while nobody calls it, in milliseconds per second.</summary>
    private static async Task<double> IdleCpuAsync(GatewayProcess gateway, TimeSpan window)
    {
        var pid = gateway.Process.ProgramId;
        var before = ProcessCpu.Of(pid);
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        return (ProcessCpu.Of(pid) - before).TotalMilliseconds / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Sends <paramref name="request"/> and checks the answer; returns the request id it was given.</summary>
    private static async Task<string> SendAsync(HttpClient http, HttpRequestMessage request, HttpStatusCode expected, string body)
    {
        using (request)
        {
            using var response = await http.SendAsync(request);
            var answer = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != expected || answer != body)
            {
                throw new InvalidOperationException($"{request.RequestUri} answered {(int)response.StatusCode}: {answer}");
            }

            return response.Headers.TryGetValues("X-Amz-Request-Id", out var ids) ? ids.First() : throw new InvalidOperationException($"{request.RequestUri} answered without X-Amz-Request-Id");
        }
    }

    /// <summary>An Event invocation of <paramref name="payload"/>.</summary>
    public static HttpRequestMessage EventRequest(Uri uri, string payload)
    {
        var request = HttpLoad.Post(uri, payload);
        request.Headers.Add("X-Amz-Invocation-Type", "Event");
        return request;
    }

    /// <summary>
    /// Waits until the worker has stored the event's outcome: the enqueue script adds its request id to
    /// the function's ages set, and the script that ends it (here: Complete) removes it.
    /// </summary>
    private static async Task WaitUntilFinalAsync(IDatabase db, RedisKey ages, string requestId)
    {
        var deadline = Stopwatch.StartNew();
        while (await db.SortedSetScoreAsync(ages, requestId) is not null)
        {
            if (deadline.Elapsed > EventTimeout)
            {
                throw new TimeoutException($"bench: event {requestId} was not final in Redis within {EventTimeout.TotalSeconds:F0} s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(1));
        }
    }

    private static async Task WaitUntilAsync(Func<Task> attempt, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await attempt();
                return;
            }
            catch (Exception e) when (e is InvalidOperationException or HttpRequestException)
            {
                if (deadline.Elapsed > timeout)
                {
                    throw new TimeoutException($"bench: not within {timeout.TotalSeconds:F0} s: {what} ({e.Message})", e);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * p))];
}
