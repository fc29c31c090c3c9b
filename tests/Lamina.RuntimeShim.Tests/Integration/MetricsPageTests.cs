using System.Globalization;
using System.Text;
using Lamina.Contracts.Shim;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>
/// The shim's /metrics after a success, a function error and a timeout: the families of
/// docs/lambda-contracts.md#metrics with their types, and only bounded labels (never a request id).
/// </summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class MetricsPageTests
{
    private const string Namespace = "metrics-ns";
    private const string Function = "metrics-fn";

    /// <summary>Every label a shim series may carry: the identity and one bounded dimension.</summary>
    private static readonly HashSet<string> AllowedLabels = ["namespace", "function", "invocation_type", "error_type", "init_type", "reason"];

    private static readonly string[] DurationBoundaries = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30", "60", "300", "900", "+Inf"];

    private static readonly Dictionary<string, (string Type, string[] Labels)> ExpectedFamilies = new(StringComparer.Ordinal)
    {
        ["lamina_invocations_total"] = ("counter", ["namespace", "function", "invocation_type"]),
        ["lamina_errors_total"] = ("counter", ["namespace", "function", "error_type"]),
        ["lamina_cold_starts_total"] = ("counter", ["namespace", "function"]),
        ["lamina_runtime_restarts_total"] = ("counter", ["namespace", "function", "reason"]),
        ["lamina_duration_seconds"] = ("histogram", ["namespace", "function"]),
        ["lamina_init_duration_seconds"] = ("histogram", ["namespace", "function", "init_type"]),
        ["lamina_concurrent_executions"] = ("gauge", ["namespace", "function"]),
    };

    [Theory]
    [MemberData(nameof(ConformanceRuntimes.Names), MemberType = typeof(ConformanceRuntimes))]
    public async Task Metrics_AfterSuccessErrorAndTimeout_HaveTheExpectedFamiliesAndBoundedLabels(string runtime)
    {
        // OTEL_* variables are the function's (for its own SDK): the shim's metrics must not heed them.
        var conformance = (await ConformanceRuntimes.GetAsync(runtime)).With(
            ("LAMINA_NAMESPACE", Namespace),
            ("AWS_LAMBDA_FUNCTION_NAME", Function),
            ("OTEL_SDK_DISABLED", "true"),
            ("OTEL_RESOURCE_ATTRIBUTES", "service.name=the-function"));
        await using var shim = await conformance.StartShimAsync(timeoutSeconds: 60);

        var success = await shim.InvokeAsync(InvokePath.Contract, "{}", "metrics-success");
        var error = await shim.InvokeAsync(InvokePath.Contract, """{"fail":"counted"}""", "metrics-error");
        // The caller's deadline (the gateway passes one) is earlier than the function's timeout: it times out.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(3).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var timeout = await shim.InvokeAsync(InvokePath.Contract, """{"sleepMs":600000}""", "metrics-timeout", (ShimInvokeContract.Headers.DeadlineMs, deadline));
        using var response = await shim.GetAdminAsync("/metrics");
        var page = await response.Content.ReadAsStringAsync();

        ShimInvocations.AssertSucceeded(success, "{}"u8.ToArray(), "metrics-success");
        ShimInvocations.AssertFunctionError(error, "Unhandled", "ConformanceError", "counted");
        ShimInvocations.AssertFunctionError(timeout, "Unhandled", "Sandbox.Timedout", "Task timed out");
        Assert.True(response.IsSuccessStatusCode, $"/metrics answered {response.StatusCode}");
        var (types, series) = Parse(page);
        Assert.Equal(ExpectedFamilies.Keys.Order(StringComparer.Ordinal), types.Keys.Order(StringComparer.Ordinal));
        foreach (var (family, (type, labels)) in ExpectedFamilies)
        {
            Assert.True(type == types[family], $"{family} is a {types[family]}, not a {type}");
            var familySeries = series.Where(s => FamilyOf(s.Name, types) == family).ToList();
            Assert.True(familySeries.Count > 0, $"{family} has a TYPE but no series:\n{page}");
            foreach (var (name, seriesLabels, _) in familySeries)
            {
                var names = seriesLabels.Keys.Where(label => !(label == "le" && name.EndsWith("_bucket", StringComparison.Ordinal))).Order(StringComparer.Ordinal);
                Assert.True(names.SequenceEqual(labels.Order(StringComparer.Ordinal)), $"{name} has labels {string.Join(",", seriesLabels.Keys)}, expected {string.Join(",", labels)}");
            }
        }

        foreach (var (name, labels, _) in series)
        {
            Assert.True(FamilyOf(name, types) is not null, $"{name} belongs to no family with a TYPE");
            Assert.True(labels.GetValueOrDefault("namespace") == Namespace && labels.GetValueOrDefault("function") == Function,
                $"{name} is not labelled namespace={Namespace}, function={Function}: {string.Join(",", labels)}");
            Assert.All(labels.Keys, label => Assert.True(AllowedLabels.Contains(label) || label == "le", $"{name} has the unbounded label {label}"));
        }

        Assert.Equal(3, Value(series, "lamina_invocations_total", ("invocation_type", "RequestResponse")));
        // The reported error and the timeout: both Unhandled, as Lambda labels them.
        Assert.Equal(2, Value(series, "lamina_errors_total", ("error_type", "Unhandled")));
        Assert.Equal(1, Value(series, "lamina_runtime_restarts_total", ("reason", "timeout")));
        Assert.Equal(3, Value(series, "lamina_duration_seconds_count"));
        // Lambda's range, 5 ms to 15 minutes, not OpenTelemetry's default boundaries.
        var boundaries = series.Where(s => s.Name == "lamina_duration_seconds_bucket").Select(s => s.Labels["le"]);
        Assert.Equal(DurationBoundaries, boundaries);
        foreach (var id in new[] { "metrics-success", "metrics-error", "metrics-timeout" })
        {
            Assert.DoesNotContain(id, page, StringComparison.Ordinal);
        }

        await Promtool.AssertValidAsync(page);
    }

    private static string? FamilyOf(string name, Dictionary<string, string> types)
    {
        if (types.ContainsKey(name))
        {
            return name;
        }

        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && types.TryGetValue(name[..^suffix.Length], out var type) && type == "histogram")
            {
                return name[..^suffix.Length];
            }
        }

        return null;
    }

    private static double Value(List<(string Name, Dictionary<string, string> Labels, double Value)> series, string name, params (string Label, string Value)[] labels)
    {
        var matching = series.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Label) == l.Value)).ToList();
        Assert.True(matching.Count == 1, $"{matching.Count} series {name} with {string.Join(",", labels)}");
        return matching[0].Value;
    }

    /// <summary>The text exposition format: TYPE comments and sample lines (HELP and blank lines skipped).</summary>
    private static (Dictionary<string, string> Types, List<(string Name, Dictionary<string, string> Labels, double Value)> Series) Parse(string page)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var series = new List<(string, Dictionary<string, string>, double)>();
        foreach (var line in page.Split('\n'))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.True(parts.Length == 4, $"a malformed TYPE line: {line}");
                Assert.True(types.TryAdd(parts[2], parts[3]), $"a second TYPE for {parts[2]}");
                continue;
            }

            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            string name;
            int rest;
            if (brace >= 0 && brace < space)
            {
                name = line[..brace];
                rest = ParseLabels(line, brace + 1, labels);
            }
            else
            {
                name = line[..space];
                rest = space;
            }

            var value = line[rest..].Trim().Split(' ')[0];
            series.Add((name, labels, double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture)));
        }

        return (types, series);
    }

    /// <summary>Reads <c>a="x",b="y\"z"}</c> from <paramref name="at"/>; returns the index after the closing brace.</summary>
    private static int ParseLabels(string line, int at, Dictionary<string, string> labels)
    {
        while (line[at] != '}')
        {
            var equals = line.IndexOf('=', at);
            var name = line[at..equals];
            Assert.True(line[equals + 1] == '"', $"a label value without quotes: {line}");
            var value = new StringBuilder();
            var i = equals + 2;
            for (; line[i] != '"'; i++)
            {
                if (line[i] == '\\')
                {
                    i++;
                    value.Append(line[i] == 'n' ? '\n' : line[i]);
                }
                else
                {
                    value.Append(line[i]);
                }
            }

            Assert.True(labels.TryAdd(name, value.ToString()), $"the label {name} twice: {line}");
            at = line[i + 1] == ',' ? i + 2 : i + 1;
        }

        return at + 1;
    }
}
