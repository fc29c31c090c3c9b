using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Bench.Reporting;

/// <summary>
/// Writes one scenario's result: <c>&lt;name&gt;.json</c>, <c>&lt;name&gt;-latency.svg</c> (every
/// series' latency distribution) and, when the report has a timeline, <c>&lt;name&gt;-timeline.svg</c>.
/// </summary>
internal static class ResultWriter
{
    /// <summary>camelCase, indented; NaN (a percentile of no samples) written as "NaN" rather than failing the run.</summary>
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // Read by people too: "runtime's", "<=" and "→" as they are. The file is never embedded in HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes the files into <paramref name="directory"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(string directory, ScenarioResult result)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        var json = Path.Combine(directory, $"{result.Scenario}.json");
        File.WriteAllText(json, JsonSerializer.Serialize(result, Json));
        written.Add(json);

        var latency = Path.Combine(directory, $"{result.Scenario}-latency.svg");
        File.WriteAllText(latency, LatencyPlot.Render($"{result.Scenario}: latency by percentile", result.Report.Series));
        written.Add(latency);

        var timelinePath = Path.Combine(directory, $"{result.Scenario}-timeline.svg");
        if (result.Report.Timeline.Count > 0)
        {
            File.WriteAllText(timelinePath, TimelinePlot.Render($"{result.Scenario}: environments and offered rate", result.Report.Timeline));
            written.Add(timelinePath);
        }
        else
        {
            // A timeline of an earlier run of the same scenario would be taken for this run's.
            File.Delete(timelinePath);
        }

        return written;
    }
}
