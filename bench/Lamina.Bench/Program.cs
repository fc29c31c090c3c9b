using System.Globalization;
using Lamina.Bench;

// make bench [BENCH_ARGS="operator 1000" | "shim 2000"]: each benchmark prints its figures and the
// ratios against its baselines. "hello PORT" is the shim benchmark's baseline server (run by itself).
var which = args.Length > 0 ? args[0] : "all";
if (which == "hello")
{
    await HelloServer.RunAsync(int.Parse(args[1], CultureInfo.InvariantCulture));
    return 0;
}

int? count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : null;
var results = new List<string>();
if (which is "all" or "shim")
{
    var shim = Environment.GetEnvironmentVariable("LAMINA_SHIM_BINARY")
        ?? throw new InvalidOperationException("LAMINA_SHIM_BINARY must name the published shim (make bench sets it)");
    results.AddRange(await ShimBenchmark.RunAsync(shim, invocations: count ?? 2000));
}

if (which is "all" or "operator")
{
    results.AddRange(await OperatorBenchmark.RunAsync(functions: count ?? 1000));
}

Console.WriteLine();
Console.WriteLine("== summary ==");
foreach (var line in results)
{
    Console.WriteLine(line);
}

return 0;
