using System.Diagnostics;
using System.Globalization;
using Lamina.Bench;
using Lamina.Bench.Reporting;
using Lamina.Testing;

// Lamina.Bench [--smoke] [--results DIR] [<scenario>|all] [size]: runs the scenarios (every IScenario
// class of this assembly), each writing DIR/<scenario>.json and its plots (default bench/results), then
// prints every scenario's lines and targets again. "list" prints the scenarios. "hello PORT" and
// "proxy PORT TARGET" are baseline servers the scenarios start as processes of their own.
if (args is ["hello", var helloPort, ..])
{
    await HelloServer.RunAsync(int.Parse(helloPort, CultureInfo.InvariantCulture));
    return 0;
}

if (args is ["proxy", var proxyPort, var proxyTarget, ..])
{
    await ProxyServer.RunAsync(int.Parse(proxyPort, CultureInfo.InvariantCulture), new Uri(proxyTarget));
    return 0;
}

var scenarios = ScenarioCatalog.All();
var smoke = false;
string? resultsDirectory = null;
var positional = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--smoke":
            smoke = true;
            break;
        case "--results" when i + 1 < args.Length:
            resultsDirectory = args[++i];
            break;
        case var option when option.StartsWith("--", StringComparison.Ordinal):
            return Usage($"unknown option {option}");
        default:
            positional.Add(args[i]);
            break;
    }
}

var which = positional.Count > 0 ? positional[0] : "all";
if (which == "list")
{
    var width = scenarios.Max(s => s.Name.Length);
    foreach (var scenario in scenarios)
    {
        Console.WriteLine($"{scenario.Name.PadRight(width)}  {(scenario.NeedsCluster ? "[cluster] " : "")}{scenario.Summary}");
    }

    return 0;
}

int? size = null;
if (positional.Count > 1)
{
    if (!int.TryParse(positional[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed <= 0)
    {
        return Usage($"size must be a positive whole number, not {positional[1]}");
    }

    size = parsed;
}

if (positional.Count > 2)
{
    return Usage($"unexpected {positional[2]}");
}

var selected = which == "all" ? scenarios : scenarios.Where(s => s.Name == which).ToList();
if (selected.Count == 0)
{
    return Usage($"no scenario {which}");
}

resultsDirectory = Path.GetFullPath(resultsDirectory ?? Path.Combine(RepositoryLayout.Discover().Root, "bench", "results"));
var shim = Environment.GetEnvironmentVariable("LAMINA_SHIM_BINARY") is { Length: > 0 } shimPath ? shimPath : null;
var previous = Environment.GetEnvironmentVariable("LAMINA_SHIM_PREVIOUS_BINARY") is { Length: > 0 } previousPath ? previousPath : null;
var machine = MachineInfo.Current();
var results = new List<ScenarioResult>();
foreach (var scenario in selected)
{
    Console.WriteLine($"==== {scenario.Name}{(smoke ? " (smoke)" : "")}: {scenario.Summary} ====");
    var run = new ScenarioRun(size, smoke, shim, previous);
    var started = DateTime.UtcNow;
    var clock = Stopwatch.StartNew();
    string? error = null;
    try
    {
        await scenario.RunAsync(run);
    }
#pragma warning disable CA1031 // One scenario's failure is reported, and the others still run.
    catch (Exception e)
#pragma warning restore CA1031
    {
        error = e.ToString();
        Console.Error.WriteLine($"{scenario.Name}: FAILED: {e}");
    }

    var result = new ScenarioResult(scenario.Name, scenario.Summary, started, Math.Round(clock.Elapsed.TotalSeconds, 1), smoke, size, machine, run.Report, error);
    results.Add(result);
    foreach (var file in ResultWriter.Write(resultsDirectory, result))
    {
        Console.WriteLine($"  wrote {file}");
    }

    Console.WriteLine($"==== {scenario.Name}: {(error is null ? "done" : "FAILED")} in {result.DurationSeconds:F1} s ====");
}

Console.WriteLine();
Console.WriteLine($"== summary{(smoke ? " (smoke: the numbers mean nothing, no target is judged)" : "")} ==");
foreach (var result in results)
{
    foreach (var line in result.Report.Lines)
    {
        Console.WriteLine(line);
    }

    foreach (var target in result.Report.Targets)
    {
        var verdict = smoke ? "not judged (smoke)" : target.Met ? "met" : "NOT met";
        Console.WriteLine($"{result.Scenario}: target {target.Name}: {target.Value:0.###}: {verdict}");
    }

    if (result.Error is not null)
    {
        Console.WriteLine($"{result.Scenario}: FAILED after {result.DurationSeconds:F1} s: {result.Error.Split('\n')[0]}");
    }
}

Console.WriteLine($"results: {resultsDirectory}; {results.Count(r => r.Error is null)} of {results.Count} scenarios ran ({string.Join(", ", results.Select(r => $"{r.Scenario} {r.DurationSeconds:F0} s"))})");
return results.Any(r => r.Error is not null) ? 1 : 0;

int Usage(string problem)
{
    Console.Error.WriteLine($"Lamina.Bench: {problem}");
    Console.Error.WriteLine("usage: Lamina.Bench [--smoke] [--results DIR] [<scenario>|all] [size] | list | hello PORT | proxy PORT TARGET");
    Console.Error.WriteLine($"scenarios: {string.Join(", ", scenarios.Select(s => s.Name))}");
    return 2;
}
