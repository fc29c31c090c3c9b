using Lamina.Bench;

// make bench [-- operator] : each benchmark prints its figures and the ratios against its baselines.
var which = args.Length > 0 ? args[0] : "all";
var results = new List<string>();
if (which is "all" or "operator")
{
    results.AddRange(await OperatorBenchmark.RunAsync(functions: args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1000));
}

Console.WriteLine();
Console.WriteLine("== summary ==");
foreach (var line in results)
{
    Console.WriteLine(line);
}

return 0;
