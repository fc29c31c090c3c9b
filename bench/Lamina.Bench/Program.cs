using System.Globalization;
using Lamina.Bench;
using Lamina.Bench.Cluster;

// make bench [BENCH_ARGS="operator 1000" | "shim 2000" | "gateway 2000" | "async 2000" | "cold-start 20" |
// "burst 2" | "throttle 100000"]: each benchmark prints its figures and the ratios against its baselines.
// "async" needs redis-server (hack/redis.sh). The last three run on the local cluster (make cluster-up).
// "hello PORT" and "proxy PORT TARGET" are baseline servers the benchmarks start as processes of their own.
var which = args.Length > 0 ? args[0] : "all";
if (which == "hello")
{
    await HelloServer.RunAsync(int.Parse(args[1], CultureInfo.InvariantCulture));
    return 0;
}

if (which == "proxy")
{
    await ProxyServer.RunAsync(int.Parse(args[1], CultureInfo.InvariantCulture), new Uri(args[2]));
    return 0;
}

int? count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : null;
var results = new List<string>();
string Shim() => Environment.GetEnvironmentVariable("LAMINA_SHIM_BINARY")
    ?? throw new InvalidOperationException("LAMINA_SHIM_BINARY must name the published shim (make bench sets it)");
if (which is "all" or "shim")
{
    // The build the shim replaced, measured in the same run when make bench has published it.
    var previous = Environment.GetEnvironmentVariable("LAMINA_SHIM_PREVIOUS_BINARY") is { Length: > 0 } path ? path : null;
    results.AddRange(await ShimBenchmark.RunAsync(Shim(), previous, invocations: count ?? 2000));
}

if (which is "all" or "gateway")
{
    results.AddRange(await GatewayBenchmark.RunAsync(Shim(), invocations: count ?? 2000));
}

if (which is "all" or "async")
{
    results.AddRange(await AsyncBenchmark.RunAsync(Shim(), events: count ?? 2000));
}

if (which is "all" or "operator")
{
    results.AddRange(await OperatorBenchmark.RunAsync(functions: count ?? 1000));
}

if (which is "all" or "cold-start")
{
    results.AddRange(await ColdStartBenchmark.RunAsync(samples: count ?? 20));
}

if (which is "all" or "burst")
{
    results.AddRange(await BurstBenchmark.RunAsync(repetitions: count ?? 2));
}

if (which is "all" or "throttle")
{
    results.AddRange(await ThrottleBenchmark.RunAsync(invocations: count ?? 100_000));
}

Console.WriteLine();
Console.WriteLine("== summary ==");
foreach (var line in results)
{
    Console.WriteLine(line);
}

return 0;
