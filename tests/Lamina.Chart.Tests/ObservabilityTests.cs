using System.Text;
using System.Text.Json;
using Lamina.Testing;
using YamlDotNet.RepresentationModel;

namespace Lamina.Chart.Tests;

/// <summary>
/// The chart's observability content: the alerts and recording rules
/// (charts/lamina/files/prometheus-rules.yaml), their promtool unit tests
/// (tests/prometheus/lamina-rules.test.yaml), the runbooks (docs/runbooks/) and the Grafana
/// dashboard (charts/lamina/dashboards/lamina.json). promtool checks the PromQL; the metric names
/// are checked against the programs' source.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ObservabilityTests
{
    private const string RulesTestsPath = "tests/prometheus/lamina-rules.test.yaml";
    private const string RunbooksPath = "docs/runbooks";
    private const string RunbookUrlPrefix = "https://github.com/lamina-dev/lamina/blob/main/docs/runbooks/";

    /// <summary>The scrape jobs the chart's monitors set, which the rules and the dashboard select on.</summary>
    private static readonly string[] Jobs = ["lamina-gateway", "lamina-worker", "lamina-operator", "lamina-functions"];

    private static readonly string[] Severities = ["warning", "critical"];

    private static readonly string[] RunbookSections = ["## Meaning", "## Impact", "## Diagnosis", "## Mitigation"];

    private static readonly string Root = RepositoryLayout.Discover().Root;

    public static TheoryData<string> AlertNames() => [.. ObservabilityQueries.Alerts(Root).Select(static a => a.Name)];

    [Fact]
    public async Task RulesFile_PromtoolCheckRules_Passes()
    {
        var output = await Promtool.RunCheckedAsync("check", "rules", ObservabilityQueries.RulesPath);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RulesUnitTests_PromtoolTestRules_Pass()
    {
        var output = await Promtool.RunCheckedAsync("test", "rules", RulesTestsPath);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_Names_AreUniqueAndFollowTheMixinConventions()
    {
        var rules = ObservabilityQueries.Rules(Root);
        Assert.Contains(rules, static r => r.IsAlert);
        Assert.All(rules.GroupBy(static r => r.Name).Where(static g => g.Count() > 1 && g.First().IsAlert), g => Assert.Fail($"alert {g.Key} is defined {g.Count()} times"));
        Assert.All(rules.Where(static r => r.IsAlert), a => Assert.Matches("^Lamina[A-Z][A-Za-z0-9]+$", a.Name));
        // Recording rules read level:metric:operations (Prometheus' naming practice).
        Assert.All(rules.Where(static r => !r.IsAlert), r => Assert.Matches("^[a-z_]+:lamina_[a-z0-9_]+:[a-z0-9_]+$", r.Name));
    }

    [Theory]
    [MemberData(nameof(AlertNames))]
    public void Alert_Annotations_HaveSeveritySummaryDescriptionAndRunbookUrl(string alert)
    {
        var rule = ObservabilityQueries.Alerts(Root).Single(a => a.Name == alert);
        Assert.True(rule.Labels.TryGetValue("severity", out var severity), $"{alert}: no severity label");
        Assert.Contains(severity, Severities);
        Assert.False(string.IsNullOrWhiteSpace(rule.Annotations.GetValueOrDefault("summary")), $"{alert}: no summary");
        Assert.False(string.IsNullOrWhiteSpace(rule.Annotations.GetValueOrDefault("description")), $"{alert}: no description");
        Assert.Equal($"{RunbookUrlPrefix}{alert}.md", rule.Annotations.GetValueOrDefault("runbook_url"));
    }

    [Theory]
    [MemberData(nameof(AlertNames))]
    public void Alert_Runbook_ExistsWithTheFourSectionsAndIsListed(string alert)
    {
        var path = Path.Combine(Root, RunbooksPath, $"{alert}.md");
        Assert.True(File.Exists(path), $"no runbook {RunbooksPath}/{alert}.md");
        var lines = File.ReadAllLines(path);
        Assert.Equal($"# {alert}", lines[0]);
        var headings = lines.Where(static l => l.StartsWith("## ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(RunbookSections, headings);
        var index = File.ReadAllText(Path.Combine(Root, RunbooksPath, "README.md"));
        Assert.Contains($"[{alert}]({alert}.md)", index, StringComparison.Ordinal);
    }

    [Fact]
    public void Runbooks_EveryPage_BelongsToAnAlert()
    {
        var alerts = ObservabilityQueries.Alerts(Root).Select(static a => a.Name).ToHashSet(StringComparer.Ordinal);
        var pages = Directory.EnumerateFiles(Path.Combine(Root, RunbooksPath), "*.md")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(static name => name != "README");
        Assert.All(pages, page => Assert.True(alerts.Contains(page!), $"{RunbooksPath}/{page}.md belongs to no alert"));
    }

    [Theory]
    [MemberData(nameof(AlertNames))]
    public void Alert_PromtoolTests_FireItAndKeepItSilent(string alert)
    {
        var cases = PromtoolAlertCases().Where(c => c.Alert == alert).ToList();
        Assert.True(cases.Any(static c => c.Fires), $"{alert}: no case in {RulesTestsPath} expects it to fire");
        Assert.True(cases.Any(static c => !c.Fires), $"{alert}: no case in {RulesTestsPath} expects it to stay silent");
    }

    [Fact]
    public void PromtoolTests_RuleFiles_AreTheChartsRules()
    {
        var root = LoadYaml(RulesTestsPath);
        var files = ((YamlSequenceNode)root["rule_files"]).Select(static n => ((YamlScalarNode)n).Value!).ToList();
        var file = Assert.Single(files);
        var resolved = Path.GetFullPath(Path.Combine(Root, Path.GetDirectoryName(RulesTestsPath)!, file));
        Assert.Equal(Path.GetFullPath(Path.Combine(Root, ObservabilityQueries.RulesPath)), resolved);
    }

    [Fact]
    public void Rules_EveryMetric_IsOneTheProgramsExport()
    {
        var exported = ObservabilityMetricNames.Exported(Root);
        var rules = ObservabilityQueries.Rules(Root);
        var recorded = rules.Where(static r => !r.IsAlert).Select(static r => r.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = rules
            .SelectMany(r => ObservabilityMetricNames.Selectors(r.Expression).Select(s => (Rule: r.Name, s.Name)))
            .Where(s => s.Name != "up" && !exported.Contains(s.Name) && !recorded.Contains(s.Name))
            .Select(static s => $"{s.Rule}: {s.Name}")
            .ToList();
        Assert.True(unknown.Count == 0, "metrics the programs do not export:\n" + string.Join('\n', unknown));
    }

    [Fact]
    public void Rules_EverySelectorOfAProgramsMetric_NamesItsJob()
    {
        var rules = ObservabilityQueries.Rules(Root);
        var recorded = rules.Where(static r => !r.IsAlert).Select(static r => r.Name).ToHashSet(StringComparer.Ordinal);
        AssertSelectorsNameTheirJob(rules.Select(static r => (r.Name, r.Expression)), recorded);
    }

    [Fact]
    public void Dashboard_EveryMetric_IsOneTheProgramsExport()
    {
        // No recording rules: the dashboard works on a Prometheus without Lamina's rules.
        var exported = ObservabilityMetricNames.Exported(Root);
        var unknown = DashboardExpressionsWithVariables()
            .SelectMany(q => ObservabilityMetricNames.Selectors(q.Expression).Select(s => (q.Name, Metric: s.Name)))
            .Where(s => s.Metric != "up" && !exported.Contains(s.Metric))
            .Select(static s => $"{s.Name}: {s.Metric}")
            .ToList();
        Assert.True(unknown.Count == 0, "metrics the programs do not export:\n" + string.Join('\n', unknown));
    }

    [Fact]
    public void Dashboard_EverySelectorOfAProgramsMetric_NamesItsJob()
    {
        AssertSelectorsNameTheirJob(DashboardExpressionsWithVariables(), new HashSet<string>(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Dashboard_EveryQuery_IsValidPromQL()
    {
        // promtool has no "check this expression": each query, variables substituted, becomes a
        // recording rule of a throw-away rules file, which promtool parses.
        var queries = ObservabilityQueries.DashboardQueries(Root, rateInterval: "5m");
        Assert.NotEmpty(queries);
        Assert.All(queries, q => Assert.DoesNotContain("$", q.Expression, StringComparison.Ordinal));
        var file = new StringBuilder("groups:\n  - name: lamina-dashboard\n    rules:\n");
        for (var i = 0; i < queries.Count; i++)
        {
            // A JSON string is a valid YAML double-quoted scalar.
            file.Append("      # ").Append(queries[i].Name).Append('\n')
                .Append("      - record: lamina_dashboard_query_").Append(i).Append('\n')
                .Append("        expr: ").Append(JsonSerializer.Serialize(queries[i].Expression)).Append('\n');
        }

        var path = Path.Combine(Path.GetTempPath(), $"lamina-dashboard-rules-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, file.ToString());
        try
        {
            var output = await Promtool.RunCheckedAsync("check", "rules", path);
            Assert.Contains($"SUCCESS: {queries.Count} rules found", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Dashboard_Variables_AreAPrometheusDatasourceAndNamespaceAndFunctionFromLabelValues()
    {
        using var dashboard = LoadDashboard();
        var root = dashboard.RootElement;
        Assert.True(root.GetProperty("schemaVersion").GetInt32() >= 36, "schemaVersion below Grafana 9's");
        Assert.False(string.IsNullOrEmpty(root.GetProperty("uid").GetString()));
        var variables = root.GetProperty("templating").GetProperty("list").EnumerateArray().ToDictionary(static v => v.GetProperty("name").GetString()!, StringComparer.Ordinal);
        Assert.Equal("datasource", variables["datasource"].GetProperty("type").GetString());
        Assert.Equal("prometheus", variables["datasource"].GetProperty("query").GetString());
        foreach (var name in new[] { "namespace", "function" })
        {
            var variable = variables[name];
            Assert.Equal("query", variable.GetProperty("type").GetString());
            Assert.Equal("${datasource}", variable.GetProperty("datasource").GetProperty("uid").GetString());
            Assert.StartsWith("label_values(", VariableQuery(variable), StringComparison.Ordinal);
            Assert.EndsWith($", {name})", VariableQuery(variable), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Dashboard_EveryPanel_QueriesTheDatasourceVariable()
    {
        using var dashboard = LoadDashboard();
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().Where(static p => p.GetProperty("type").GetString() != "row").ToList();
        Assert.NotEmpty(panels);
        Assert.Equal(panels.Count, panels.Select(static p => p.GetProperty("id").GetInt32()).Distinct().Count());
        Assert.All(panels, panel =>
        {
            var title = panel.GetProperty("title").GetString();
            Assert.False(string.IsNullOrEmpty(title));
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            Assert.True(targets.Count > 0, $"panel {title} has no query");
            Assert.All(targets, t => Assert.Equal("${datasource}", t.GetProperty("datasource").GetProperty("uid").GetString()));
        });
    }

    [Fact]
    public void Exported_ProgramsSource_HoldsCountersGaugesAndHistogramSeries()
    {
        var exported = ObservabilityMetricNames.Exported(Root);
        Assert.Contains("lamina_invocations_total", exported);
        Assert.Contains("lamina_async_oldest_event_age_seconds", exported);
        Assert.Contains("lamina_duration_seconds_bucket", exported);
        Assert.Contains("lamina_init_duration_seconds_count", exported);
        Assert.Contains("lamina_kubernetes_request_duration_seconds_bucket", exported);
        // A gauge in seconds is not a histogram.
        Assert.DoesNotContain("lamina_async_oldest_event_age_seconds_bucket", exported);
        Assert.DoesNotContain("lamina_duration_seconds", exported);
    }

    [Fact]
    public void Selectors_Expression_FindsMetricsNotFunctionsLabelsOrDurations()
    {
        var selectors = ObservabilityMetricNames.Selectors(
            "histogram_quantile(0.95, sum by (namespace, le) (rate(lamina_x_bucket{job=\"a\",le=~\"1|+Inf\"}[5m] offset 10m)))"
            + " / on (namespace) group_left max without (pod) (lamina_y offset $__rate_interval) > bool 1e3 or absent(up{job=\"b\"} == 1)");
        Assert.Equal(["lamina_x_bucket", "lamina_y", "up"], selectors.Select(static s => s.Name));
        Assert.Equal(["job", "le"], ObservabilityMetricNames.MatchedLabels(selectors[0].Matchers).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void DashboardQueries_ConcreteFunction_SubstitutesEveryVariable()
    {
        var queries = ObservabilityQueries.DashboardQueries(Root, "team-a", "orders", "2m");
        Assert.Equal(ObservabilityQueries.DashboardExpressions(Root).Count, queries.Count);
        Assert.All(queries, q => Assert.DoesNotContain("$", q.Expression, StringComparison.Ordinal));
        Assert.Contains(queries, static q => q.Expression.Contains("namespace=~\"team-a\",function=~\"orders\"", StringComparison.Ordinal));
        Assert.Contains(queries, static q => q.Expression.Contains("[2m]", StringComparison.Ordinal));
    }

    private static void AssertSelectorsNameTheirJob(IEnumerable<(string Name, string Expression)> expressions, IReadOnlySet<string> recorded)
    {
        var missing = new List<string>();
        foreach (var (name, expression) in expressions)
        {
            foreach (var selector in ObservabilityMetricNames.Selectors(expression))
            {
                if (recorded.Contains(selector.Name))
                {
                    continue;
                }

                // The gateway and the shims both export lamina_invocations_total & co.: only the job tells them apart.
                if (!ObservabilityMetricNames.MatchedLabels(selector.Matchers).Contains("job"))
                {
                    missing.Add($"{name}: {selector.Name}{{{selector.Matchers}}} has no job matcher");
                }
                else if (!Jobs.Any(job => selector.Matchers.Contains(job, StringComparison.Ordinal)))
                {
                    missing.Add($"{name}: {selector.Name}{{{selector.Matchers}}} names none of the jobs {string.Join(", ", Jobs)}");
                }
            }
        }

        Assert.True(missing.Count == 0, string.Join('\n', missing));
    }

    /// <summary>The panels' queries and the variables' label_values selectors, as written.</summary>
    private static List<(string Name, string Expression)> DashboardExpressionsWithVariables()
    {
        var expressions = ObservabilityQueries.DashboardExpressions(Root).Select(static e => ($"{e.Panel} ({e.RefId})", e.Expression)).ToList();
        using var dashboard = LoadDashboard();
        foreach (var variable in dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (variable.GetProperty("type").GetString() == "query")
            {
                var query = VariableQuery(variable);
                var selector = query["label_values(".Length..query.LastIndexOf(',')];
                expressions.Add(($"variable {variable.GetProperty("name").GetString()}", selector));
            }
        }

        return expressions;
    }

    private static string VariableQuery(JsonElement variable)
    {
        var query = variable.GetProperty("query");
        return query.ValueKind == JsonValueKind.String ? query.GetString()! : query.GetProperty("query").GetString()!;
    }

    private static List<(string Alert, bool Fires)> PromtoolAlertCases()
    {
        var cases = new List<(string, bool)>();
        var root = LoadYaml(RulesTestsPath);
        foreach (var test in ((YamlSequenceNode)root["tests"]).Cast<YamlMappingNode>())
        {
            if (!test.Children.TryGetValue(new YamlScalarNode("alert_rule_test"), out var alertTests))
            {
                continue;
            }

            foreach (var alertTest in ((YamlSequenceNode)alertTests).Cast<YamlMappingNode>())
            {
                var alert = ((YamlScalarNode)alertTest["alertname"]).Value!;
                var fires = alertTest.Children.TryGetValue(new YamlScalarNode("exp_alerts"), out var expected)
                    && expected is YamlSequenceNode { Children.Count: > 0 };
                cases.Add((alert, fires));
            }
        }

        return cases;
    }

    private static YamlMappingNode LoadYaml(string relativePath)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Root, relativePath));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static JsonDocument LoadDashboard() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, ObservabilityQueries.DashboardPath)));
}
