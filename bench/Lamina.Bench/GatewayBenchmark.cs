using k8s.Models;
using Lamina.Bench.Reporting;
using Lamina.Testing;

namespace Lamina.Bench;

/// <summary>
/// A warm invoke through the gateway (gateway → shim → Node RIC) against, in the same run: a direct
/// Kestrel hello-world, one plain reverse-proxy hop (YARP) in front of it, and the shim alone; for
/// context, the same YARP hop in front of the shim; and the gateway again with SigV4. There is no
/// kubelet: the function's one environment is a shim process on loopback behind a Pod the bench
/// writes (<see cref="LoopbackFunction"/>); the gateways lease it from the operator's concurrency
/// controller, so they route to a real shim process. Every server but the operator is a process of
/// its own.
/// </summary>
internal sealed class GatewayBenchmark : IScenario
{
    private const string Namespace = LoopbackFunction.Namespace;
    private const string Payload = """{"bench":"warm invoke","n":12345}""";

    /// <summary>The concurrent figure's clients: enough to keep every server busy on 2 cores.</summary>
    private const int Clients = 4;

    /// <summary>
    /// Each series' own warm-up. Tiered JIT recompiles hot methods in the background only after they
    /// have run a while, which a fixed count of requests does not cover on a busy 2-core machine.
    /// </summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    private const string KeyId = "AKIDLAMINABENCH0001";

    public string Name => "gateway";

    public string Summary => "warm invoke through gateway -> shim -> Node RIC vs direct Kestrel (B0), one YARP hop (B1) and the shim alone; one at a time and 4 clients; --auth=none, then SigV4";

    public bool NeedsCluster => false;

    public async Task RunAsync(ScenarioRun run)
    {
        var report = run.Report;
        var shim = run.Shim;
        var invocations = run.SizeOr(2000, 20);
        // bench-smoke: one round, no warm-up round and no timed warm-up; every series still measured.
        var (rounds, warmUpRound, warmUp) = run.Smoke ? (1, false, TimeSpan.Zero) : (InterleavedRounds.Count, true, WarmUp);
        Console.WriteLine($"== gateway: warm invoke through gateway -> shim -> Node RIC, {invocations} requests per series ==");
        var layout = RepositoryLayout.Discover();

        // The baselines first: they need no cluster.
        await using var baselines = await KestrelBaselines.StartAsync();
        var (hello, helloUri, proxy, proxyUri) = (baselines.Hello, baselines.HelloUri, baselines.Proxy, baselines.ProxyUri);

        await using var function = await LoopbackFunction.StartAsync(shim, layout);
        var environment = function.Environment;

        // The same plain hop in front of the shim: what a proxy costs with this busier backend (the shim
        // and the Node runtime are two more processes on the same cores).
        var shimProxyPort = FreePort.Next();
        await using var shimProxy = SelfProcess.Start("proxy", shimProxyPort, environment.InvokeBase.ToString());
        var shimProxyUri = new Uri(new Uri($"http://127.0.0.1:{shimProxyPort}"), environment.ContractUri.AbsolutePath);

        var secret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(30));
        await function.Client.CreateAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "bench-key", NamespaceProperty = Namespace, Labels = new Dictionary<string, string> { ["lamina.dev/access-key"] = "true" } },
            StringData = new Dictionary<string, string> { ["accessKeyId"] = KeyId, ["secretAccessKey"] = secret, ["namespaces"] = Namespace },
        });

        // Both gateways find the controller through the operator's Lease, as in a cluster. They share the
        // one environment: a gateway keeps its lease while it is busy and gives it back after 2 s idle.
        // A series whose gateway holds no lease acquires it with its first request, waiting (the function
        // is unreserved, so below its cap the controller does not reclaim) until the other gateway gives it
        // back; the warm-up absorbs that, and the measured requests make no controller call.
        var discovery = LoopbackFunction.DiscoveryArgument;
        await using var open = await GatewayProcess.StartAsync(function.Kubeconfig, ["--auth=none", discovery]);
        await using var signing = await GatewayProcess.StartAsync(function.Kubeconfig, [$"--Lamina:Gateway:Auth:AccessKeyNamespace={Namespace}", discovery]);
        var openUri = LoopbackFunction.InvokeUri(open);
        var signedUri = LoopbackFunction.InvokeUri(signing);
        var signer = new InvokeSigner(KeyId, secret);

        Func<HttpRequestMessage> Plain(Uri uri) => () => HttpLoad.Post(uri, Payload);
        var toHello = Plain(helloUri);
        var toProxy = Plain(proxyUri);
        var toShim = Plain(environment.ContractUri);
        var toShimProxy = Plain(shimProxyUri);
        var toGateway = Plain(openUri);
        HttpRequestMessage ToSigningGateway() => signer.Post(signedUri, Payload);

        using var load = HttpLoad.CreateClient();
        var ready = TimeSpan.FromSeconds(60);
        await HttpLoad.WaitUntilOkAsync(load, toHello, ready, "the Kestrel hello-world answers");
        await HttpLoad.WaitUntilOkAsync(load, toProxy, ready, "the YARP proxy answers");
        await HttpLoad.WaitUntilOkAsync(load, toShimProxy, ready, "the YARP proxy in front of the shim answers");
        await HttpLoad.WaitUntilOkAsync(load, toGateway, ready, "the gateway (--auth=none) invokes the function");
        await HttpLoad.WaitUntilOkAsync(load, ToSigningGateway, ready, "the gateway (SigV4) invokes the function");

        // Every series is measured in interleaved rounds (InterleavedRounds). One request at a time: latency and rate.
        var sequential = await InterleavedRounds.RunAsync(
        [
            () => HttpLoad.SequentialAsync(load, toHello, Payload, invocations, warmUp),
            () => HttpLoad.SequentialAsync(load, toProxy, Payload, invocations, warmUp),
            () => HttpLoad.SequentialAsync(load, toShim, Payload, invocations, warmUp),
            () => HttpLoad.SequentialAsync(load, toGateway, Payload, invocations, warmUp),
            () => HttpLoad.SequentialAsync(load, ToSigningGateway, Payload, invocations, warmUp),
            () => HttpLoad.SequentialAsync(load, toShimProxy, Payload, invocations, warmUp),
        ], rounds, warmUpRound);
        var (direct, proxied, shimAlone, gateway, signed, shimProxied) = (sequential[0], sequential[1], sequential[2], sequential[3], sequential[4], sequential[5]);

        // Several clients at once: the rate only. The shim answers "busy" to a second concurrent
        // invocation, so with one environment the gateway queues the other clients' requests.
        var concurrent = await InterleavedRounds.RunAsync(
        [
            async () => new Latency(0, 0, await HttpLoad.ConcurrentAsync(load, toHello, Payload, invocations, Clients, warmUp)),
            async () => new Latency(0, 0, await HttpLoad.ConcurrentAsync(load, toProxy, Payload, invocations, Clients, warmUp)),
            async () => new Latency(0, 0, await HttpLoad.ConcurrentAsync(load, toGateway, Payload, invocations, Clients, warmUp)),
        ], rounds, warmUpRound);
        var (directConcurrent, proxiedConcurrent, gatewayConcurrent) = (concurrent[0].PerSecond, concurrent[1].PerSecond, concurrent[2].PerSecond);

        var hop = new Latency(proxied.P50 - direct.P50, proxied.P99 - direct.P99, 0);
        var added = new Latency(gateway.P50 - shimAlone.P50, gateway.P99 - shimAlone.P99, 0);
        var addedSigned = new Latency(signed.P50 - shimAlone.P50, signed.P99 - shimAlone.P99, 0);
        var shimHop = new Latency(shimProxied.P50 - shimAlone.P50, shimProxied.P99 - shimAlone.P99, 0);
        const string OneAtATime = "one at a time";
        var manyClients = $"{Clients} clients";
        report.Series.Add(direct.ToSeries(OneAtATime, "B0 direct Kestrel"));
        report.Series.Add(proxied.ToSeries(OneAtATime, "B1 YARP hop -> Kestrel"));
        report.Series.Add(shimAlone.ToSeries(OneAtATime, "shim+node alone"));
        report.Series.Add(gateway.ToSeries(OneAtATime, "lamina (gateway -> shim+node, --auth=none)"));
        report.Series.Add(signed.ToSeries(OneAtATime, "lamina (gateway -> shim+node, SigV4)"));
        report.Series.Add(shimProxied.ToSeries(OneAtATime, "YARP hop -> shim+node"));
        // The concurrent series time no single request: a rate only.
        report.Series.Add(concurrent[0].ToSeries(manyClients, "B0 direct Kestrel", requests: invocations * rounds));
        report.Series.Add(concurrent[1].ToSeries(manyClients, "B1 YARP hop -> Kestrel", requests: invocations * rounds));
        report.Series.Add(concurrent[2].ToSeries(manyClients, "lamina (gateway -> shim+node, --auth=none)", requests: invocations * rounds));
        report.Ratios.Add(new RatioResult("added warm p50 / one YARP hop p50", added.P50 / hop.P50));
        report.Ratios.Add(new RatioResult("added warm p99 / one YARP hop p99", added.P99 / hop.P99));
        report.Ratios.Add(new RatioResult("added warm p50 / YARP hop in front of the shim p50", added.P50 / shimHop.P50));
        report.Ratios.Add(new RatioResult("requests/s one at a time: gateway / direct Kestrel", gateway.PerSecond / direct.PerSecond));
        report.Ratios.Add(new RatioResult($"requests/s {Clients} clients: gateway / direct Kestrel", gatewayConcurrent / directConcurrent));
        report.Ratios.Add(new RatioResult($"requests/s {Clients} clients: proxy / direct Kestrel", proxiedConcurrent / directConcurrent));
        report.Ratios.Add(new RatioResult("SigV4 added warm p50 / one YARP hop p50", addedSigned.P50 / hop.P50));
        report.Targets.Add(new TargetResult("added warm p50 <= 1.0x one YARP hop", added.P50 / hop.P50, added.P50 / hop.P50 <= 1.0));
        report.Targets.Add(new TargetResult($"requests/s with enough environments >= 0.33x direct Kestrel ({Clients} clients; here one environment)", gatewayConcurrent / directConcurrent, gatewayConcurrent / directConcurrent >= 0.33));
        string[] lines =
        [
            $"gateway: medians of {rounds} interleaved rounds ({(warmUpRound ? "after a warm-up round" : "no warm-up round")}) of {invocations} requests per series; main figures with --auth=none (no signature check); one environment: the published shim + Node RIC on loopback, a Pod in kube-apiserver (no kubelet) leased from the operator's concurrency controller; {Payload.Length}-byte payload",
            $"gateway: direct Kestrel hello-world: p50 {direct.P50:F3} ms, p99 {direct.P99:F3} ms, {direct.PerSecond:F0} requests/s (one at a time)",
            $"gateway: YARP proxy -> hello-world: p50 {proxied.P50:F3} ms, p99 {proxied.P99:F3} ms, {proxied.PerSecond:F0} requests/s; one proxy hop costs p50 {hop.P50:F3} ms, p99 {hop.P99:F3} ms",
            $"gateway: shim+node alone: p50 {shimAlone.P50:F3} ms, p99 {shimAlone.P99:F3} ms, {shimAlone.PerSecond:F0} requests/s",
            $"gateway: gateway -> shim+node: p50 {gateway.P50:F3} ms, p99 {gateway.P99:F3} ms, {gateway.PerSecond:F0} requests/s",
            $"gateway: the gateway adds p50 {added.P50:F3} ms, p99 {added.P99:F3} ms over the shim alone: {added.P50 / hop.P50:F2}x one proxy hop at p50 (target <= 1.0), {added.P99 / hop.P99:F2}x at p99",
            $"gateway: for context, YARP proxy -> shim+node: p50 {shimProxied.P50:F3} ms, p99 {shimProxied.P99:F3} ms: the same hop in front of the shim costs p50 {shimHop.P50:F3} ms, p99 {shimHop.P99:F3} ms; the gateway adds {added.P50 / shimHop.P50:F2}x that at p50",
            $"gateway: requests/s one at a time: gateway / direct Kestrel {gateway.PerSecond / direct.PerSecond:F2}x (target >= 0.33), gateway / shim alone {gateway.PerSecond / shimAlone.PerSecond:F2}x, proxy / direct {proxied.PerSecond / direct.PerSecond:F2}x",
            $"gateway: {Clients} concurrent clients: direct Kestrel {directConcurrent:F0}, proxy {proxiedConcurrent:F0}, gateway {gatewayConcurrent:F0} requests/s: gateway / direct {gatewayConcurrent / directConcurrent:F2}x (target >= 0.33), proxy / direct {proxiedConcurrent / directConcurrent:F2}x (one environment runs one invocation at a time: the gateway queues the other clients)",
            $"gateway: with SigV4 (signed per request by the client): p50 {signed.P50:F3} ms, p99 {signed.P99:F3} ms, {signed.PerSecond:F0} requests/s; adds p50 {addedSigned.P50:F3} ms over the shim alone ({addedSigned.P50 / hop.P50:F2}x one proxy hop), p50 {signed.P50 - gateway.P50:F3} ms over --auth=none",
        ];
        foreach (var line in lines)
        {
            report.Say(line);
        }
    }
}
