using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Lamina.Testing;

/// <summary>
/// Every PromQL expression Lamina ships: the alerts and recording rules of
/// <c>charts/lamina/files/prometheus-rules.yaml</c> and the panel queries of
/// <c>charts/lamina/dashboards/lamina.json</c>, the latter with Grafana's variables substituted, so
/// a test can check them with promtool or evaluate each against a real Prometheus server.
/// </summary>
public static class ObservabilityQueries
{
    /// <summary>The rules file, from the repository root.</summary>
    public const string RulesPath = "charts/lamina/files/prometheus-rules.yaml";

    /// <summary>The Grafana dashboard, from the repository root.</summary>
    public const string DashboardPath = "charts/lamina/dashboards/lamina.json";

    /// <summary>Every alert and recording rule, in file order.</summary>
    public static IReadOnlyList<Rule> Rules(string? repositoryRoot = null)
    {
        var path = Path.Combine(repositoryRoot ?? RepositoryLayout.Discover().Root, RulesPath);
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }

        var rules = new List<Rule>();
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        foreach (var group in ((YamlSequenceNode)root["groups"]).Cast<YamlMappingNode>())
        {
            var groupName = Scalar(group, "name") ?? throw new InvalidDataException($"{RulesPath}: a group without a name");
            foreach (var rule in ((YamlSequenceNode)group["rules"]).Cast<YamlMappingNode>())
            {
                var alert = Scalar(rule, "alert");
                var name = alert ?? Scalar(rule, "record") ?? throw new InvalidDataException($"{RulesPath}: a rule of {groupName} is neither alert nor record");
                rules.Add(new Rule(
                    groupName,
                    name,
                    alert is not null,
                    (Scalar(rule, "expr") ?? throw new InvalidDataException($"{RulesPath}: {name} has no expr")).Trim(),
                    Scalar(rule, "for"),
                    Map(rule, "labels"),
                    Map(rule, "annotations")));
            }
        }

        return rules;
    }

    /// <summary>The alerts only.</summary>
    public static IReadOnlyList<Rule> Alerts(string? repositoryRoot = null) => [.. Rules(repositoryRoot).Where(static r => r.IsAlert)];

    /// <summary>
    /// Every query of every dashboard panel, with <c>$namespace</c> and <c>$function</c> replaced by
    /// <paramref name="namespaceMatch"/> and <paramref name="functionMatch"/> (both sit in <c>=~</c>
    /// matchers, so they are regular expressions: <c>.*</c> for all, or a concrete name) and
    /// <c>$__rate_interval</c> by <paramref name="rateInterval"/>.
    /// </summary>
    public static IReadOnlyList<Query> DashboardQueries(string? repositoryRoot = null, string namespaceMatch = ".*", string functionMatch = ".*", string rateInterval = "1m")
    {
        var queries = new List<Query>();
        foreach (var (panel, refId, expression) in DashboardExpressions(repositoryRoot))
        {
            queries.Add(new Query($"{panel} ({refId})", Substitute(expression, namespaceMatch, functionMatch, rateInterval)));
        }

        return queries;
    }

    /// <summary>The panels' queries as written, variables and all: (panel title, refId, expr).</summary>
    public static IReadOnlyList<(string Panel, string RefId, string Expression)> DashboardExpressions(string? repositoryRoot = null)
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(repositoryRoot ?? RepositoryLayout.Discover().Root, DashboardPath)));
        var expressions = new List<(string, string, string)>();
        Collect(dashboard.RootElement.GetProperty("panels"), expressions);
        return expressions;
    }

    /// <summary>Replaces the dashboard's variables in one expression.</summary>
    public static string Substitute(string expression, string namespaceMatch = ".*", string functionMatch = ".*", string rateInterval = "1m")
    {
        ArgumentNullException.ThrowIfNull(expression);
        return expression
            .Replace("$__rate_interval", rateInterval, StringComparison.Ordinal)
            .Replace("$namespace", namespaceMatch, StringComparison.Ordinal)
            .Replace("$function", functionMatch, StringComparison.Ordinal);
    }

    private static void Collect(JsonElement panels, List<(string, string, string)> into)
    {
        foreach (var panel in panels.EnumerateArray())
        {
            var title = panel.TryGetProperty("title", out var t) ? t.GetString() ?? "" : "";
            if (panel.TryGetProperty("targets", out var targets))
            {
                foreach (var target in targets.EnumerateArray())
                {
                    if (target.TryGetProperty("expr", out var expr) && expr.GetString() is { Length: > 0 } text)
                    {
                        into.Add((title, target.TryGetProperty("refId", out var id) ? id.GetString() ?? "" : "", text));
                    }
                }
            }

            // Collapsed rows carry their panels inside.
            if (panel.TryGetProperty("panels", out var nested))
            {
                Collect(nested, into);
            }
        }
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    private static Dictionary<string, string> Map(YamlMappingNode node, string key)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlMappingNode mapping)
        {
            foreach (var (k, v) in mapping.Children)
            {
                map[((YamlScalarNode)k).Value!] = ((YamlScalarNode)v).Value ?? "";
            }
        }

        return map;
    }

    /// <summary>One rule of the rules file: an alert (<see cref="IsAlert"/>) or a recording rule.</summary>
    public sealed record Rule(
        string Group,
        string Name,
        bool IsAlert,
        string Expression,
        string? For,
        IReadOnlyDictionary<string, string> Labels,
        IReadOnlyDictionary<string, string> Annotations);

    /// <summary>One dashboard query: <c>panel title (refId)</c> and its expression, variables substituted.</summary>
    public sealed record Query(string Name, string Expression);
}
