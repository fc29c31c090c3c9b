using System.Text;
using System.Text.RegularExpressions;

namespace Lamina.Chart.Tests;

/// <summary>
/// The series names the programs can put on a /metrics page, read from their source (every
/// <c>"lamina_…"</c> string in operator/ and runtime-shim/; a histogram's name also gives its
/// <c>_bucket</c>, <c>_sum</c> and <c>_count</c> series), and the vector selectors of a PromQL
/// expression. The source, not docs/metrics.md, is the authority: a renamed instrument fails the
/// tests even when nobody updated the docs.
/// </summary>
internal static partial class ObservabilityMetricNames
{
    private static readonly string[] SourceFolders = ["operator", "runtime-shim"];

    /// <summary>Aggregation operators: an identifier followed by <c>by</c>/<c>without</c>, not a selector.</summary>
    private static readonly HashSet<string> Aggregations = new(StringComparer.Ordinal)
    {
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio",
    };

    /// <summary>Keywords followed by a label list in parentheses.</summary>
    private static readonly HashSet<string> Groupings = new(StringComparer.Ordinal) { "by", "without", "on", "ignoring", "group_left", "group_right" };

    /// <summary>Other keywords and literals that read like identifiers.</summary>
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal) { "and", "or", "unless", "bool", "offset", "atan2", "inf", "nan", "Inf", "NaN" };

    /// <summary>Every series name the operator, the gateway and the runtime shim export.</summary>
    public static IReadOnlySet<string> Exported(string repositoryRoot)
    {
        var files = SourceFolders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(repositoryRoot, folder), "*.cs", SearchOption.AllDirectories))
            .Where(static path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(static path => (Path: path, Text: File.ReadAllText(path)))
            .ToList();

        // const string X = "lamina_…": by file (unqualified use) and by Class.X (qualified use).
        var local = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var qualified = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, text) in files)
        {
            foreach (Match literal in NameLiteral().Matches(text))
            {
                names.Add(literal.Groups["name"].Value);
            }

            var constants = local[path] = new Dictionary<string, string>(StringComparer.Ordinal);
            var classes = ClassDeclaration().Matches(text);
            foreach (Match constant in NameConstant().Matches(text))
            {
                constants[constant.Groups["id"].Value] = constant.Groups["name"].Value;
                var owner = classes.LastOrDefault(c => c.Index < constant.Index)?.Groups["class"].Value;
                if (owner is not null)
                {
                    qualified[$"{owner}.{constant.Groups["id"].Value}"] = constant.Groups["name"].Value;
                }
            }
        }

        // A histogram's own name is not a series: its _bucket, _sum and _count are.
        var histograms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, text) in files)
        {
            foreach (Match histogram in HistogramCreation().Matches(text))
            {
                var name = histogram.Groups["literal"].Success
                    ? histogram.Groups["literal"].Value
                    : Resolve(histogram.Groups["id"].Value, local[path], qualified);
                if (name is null)
                {
                    continue;
                }

                histograms.Add(name);
                names.Add(name + "_bucket");
                names.Add(name + "_sum");
                names.Add(name + "_count");
            }
        }

        names.ExceptWith(histograms);
        return names;
    }

    /// <summary>The vector selectors of <paramref name="expression"/>: (metric name, the text between its braces).</summary>
    public static IReadOnlyList<(string Name, string Matchers)> Selectors(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var selectors = new List<(string, string)>();
        var i = 0;
        while (i < expression.Length)
        {
            var c = expression[i];
            if (c is '"' or '\'' or '`')
            {
                i = SkipString(expression, i);
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < expression.Length && char.IsAsciiDigit(expression[i + 1])))
            {
                // A number or a duration (10m, 1.5e3).
                while (i < expression.Length && (char.IsAsciiLetterOrDigit(expression[i]) || expression[i] is '.' or '_'))
                {
                    i++;
                }
            }
            else if (c == '$')
            {
                // A Grafana variable ($__rate_interval, ${function}): not a metric.
                i++;
                while (i < expression.Length && (char.IsAsciiLetterOrDigit(expression[i]) || expression[i] is '_' or '{' or '}' or ':'))
                {
                    i++;
                }
            }
            else if (c == '[')
            {
                i = expression.IndexOf(']', i) + 1;
            }
            else if (char.IsAsciiLetter(c) || c is '_' or ':')
            {
                var start = i;
                while (i < expression.Length && (char.IsAsciiLetterOrDigit(expression[i]) || expression[i] is '_' or ':'))
                {
                    i++;
                }

                var identifier = expression[start..i];
                var next = i;
                while (next < expression.Length && char.IsWhiteSpace(expression[next]))
                {
                    next++;
                }

                var following = next < expression.Length ? expression[next] : '\0';
                if (Groupings.Contains(identifier))
                {
                    if (following == '(')
                    {
                        i = expression.IndexOf(')', next) + 1;
                    }
                }
                else if (Keywords.Contains(identifier) || Aggregations.Contains(identifier) || following == '(')
                {
                    // An operator, an aggregation or a function call: its arguments are read next.
                }
                else if (following == '{')
                {
                    var end = SkipMatchers(expression, next);
                    selectors.Add((identifier, expression[(next + 1)..(end - 1)]));
                    i = end;
                }
                else
                {
                    selectors.Add((identifier, ""));
                }
            }
            else if (c == '{')
            {
                var end = SkipMatchers(expression, i);
                selectors.Add(("", expression[(i + 1)..(end - 1)]));
                i = end;
            }
            else
            {
                i++;
            }
        }

        return selectors;
    }

    /// <summary>The label names a selector's matchers constrain.</summary>
    public static IReadOnlySet<string> MatchedLabels(string matchers)
    {
        var labels = new HashSet<string>(StringComparer.Ordinal);
        var unquoted = new StringBuilder();
        for (var i = 0; i < matchers.Length;)
        {
            if (matchers[i] is '"' or '\'' or '`')
            {
                i = SkipString(matchers, i);
                unquoted.Append(' ');
            }
            else
            {
                unquoted.Append(matchers[i++]);
            }
        }

        foreach (Match matcher in LabelMatcher().Matches(unquoted.ToString()))
        {
            labels.Add(matcher.Groups["label"].Value);
        }

        return labels;
    }

    private static string? Resolve(string identifier, Dictionary<string, string> local, Dictionary<string, string> qualified)
    {
        if (qualified.TryGetValue(identifier, out var name))
        {
            return name;
        }

        var shortName = identifier[(identifier.LastIndexOf('.') + 1)..];
        return local.TryGetValue(shortName, out name) ? name : null;
    }

    private static int SkipString(string text, int start)
    {
        var quote = text[start];
        var i = start + 1;
        while (i < text.Length && text[i] != quote)
        {
            i += text[i] == '\\' && quote != '`' ? 2 : 1;
        }

        return i + 1;
    }

    private static int SkipMatchers(string text, int open)
    {
        var i = open + 1;
        while (i < text.Length && text[i] != '}')
        {
            i = text[i] is '"' or '\'' or '`' ? SkipString(text, i) : i + 1;
        }

        return i + 1;
    }

    [GeneratedRegex("\"(?<name>lamina_[a-z0-9_]+)\"")]
    private static partial Regex NameLiteral();

    [GeneratedRegex(@"const\s+string\s+(?<id>\w+)\s*=\s*""(?<name>lamina_[a-z0-9_]+)""")]
    private static partial Regex NameConstant();

    [GeneratedRegex(@"\b(?:class|record|struct)\s+(?<class>\w+)")]
    private static partial Regex ClassDeclaration();

    [GeneratedRegex(@"CreateHistogram(?:<\w+>)?\(\s*(?:""(?<literal>lamina_[a-z0-9_]+)""|(?<id>[\w.]+))")]
    private static partial Regex HistogramCreation();

    [GeneratedRegex(@"(?<label>[A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)")]
    private static partial Regex LabelMatcher();
}
