using System.Globalization;
using System.Text;

namespace Lamina.Metrics;

/// <summary>
/// The spelling rules of the Prometheus text exposition format 0.0.4: names, label sets, escaping
/// and numbers. Runs when a series is created or scraped, never per measurement.
/// </summary>
internal static class PrometheusText
{
    /// <summary>The media type Prometheus asks for and parses as text format 0.0.4.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>
    /// Integers up to 10^15 are written as plain digits: still exact in a double (2^53 ≈ 9·10^15),
    /// and they read better than the shortest round-trip form (<c>1E+15</c>).
    /// </summary>
    private const double PlainIntegerLimit = 1e15;

    /// <summary>A metric name with every character outside <c>[a-zA-Z0-9_:]</c> replaced by <c>_</c>.</summary>
    public static string MetricName(string name) => Sanitize(name, allowColon: true);

    /// <summary>A label name with every character outside <c>[a-zA-Z0-9_]</c> replaced by <c>_</c>.</summary>
    public static string LabelName(string name) => Sanitize(name, allowColon: false);

    /// <summary>
    /// The label set of a series, <c>a="x",b="y"</c> (no braces), sorted by label name so that the
    /// same tags in another order name the same series. Duplicate names keep their first value;
    /// names Prometheus reserves (<c>__*</c>) and <paramref name="reserved"/> (<c>le</c> on a
    /// histogram) are dropped, since writing them would make the exposition invalid.
    /// </summary>
    public static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags, string? reserved)
    {
        if (tags.IsEmpty)
        {
            return "";
        }

        var named = new (string Name, string Value)[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            named[i] = (LabelName(tags[i].Key), LabelValue(tags[i].Value));
        }

        // Insertion sort: stable (the first of duplicate names stays first) and quick for the
        // handful of labels a series has.
        for (var i = 1; i < named.Length; i++)
        {
            var current = named[i];
            var j = i - 1;
            for (; j >= 0 && string.CompareOrdinal(named[j].Name, current.Name) > 0; j--)
            {
                named[j + 1] = named[j];
            }

            named[j + 1] = current;
        }

        var builder = new StringBuilder();
        string? previous = null;
        foreach (var (name, value) in named)
        {
            if (name == previous || name.StartsWith("__", StringComparison.Ordinal) || name == reserved)
            {
                continue;
            }

            previous = name;
            if (builder.Length > 0)
            {
                builder.Append(',');
            }

            builder.Append(name).Append("=\"");
            AppendEscapedLabelValue(builder, value);
            builder.Append('"');
        }

        return builder.ToString();
    }

    /// <summary>A tag value as label text: strings as they are, booleans lowercase, numbers invariant.</summary>
    public static string LabelValue(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Escapes <c>\</c>, <c>"</c> and line feeds, as the format requires inside label values.</summary>
    public static void AppendEscapedLabelValue(StringBuilder builder, string value)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => builder.Append(@"\\"),
                '"' => builder.Append("\\\""),
                '\n' => builder.Append(@"\n"),
                _ => builder.Append(c),
            };
        }
    }

    /// <summary>Escapes <c>\</c> and line feeds, as the format requires in HELP text.</summary>
    public static void AppendEscapedHelp(StringBuilder builder, string help)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var c in help)
        {
            _ = c switch
            {
                '\\' => builder.Append(@"\\"),
                '\n' => builder.Append(@"\n"),
                _ => builder.Append(c),
            };
        }
    }

    /// <summary>
    /// A sample value as Prometheus writes it: <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c>; integers as
    /// plain digits; anything else in the shortest form that reads back to the same double.
    /// </summary>
    public static void AppendValue(StringBuilder builder, double value)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (double.IsNaN(value))
        {
            builder.Append("NaN");
        }
        else if (double.IsPositiveInfinity(value))
        {
            builder.Append("+Inf");
        }
        else if (double.IsNegativeInfinity(value))
        {
            builder.Append("-Inf");
        }
        else if (Math.Abs(value) < PlainIntegerLimit && value == Math.Floor(value))
        {
            builder.Append(((long)value).ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            builder.Append(value.ToString("R", CultureInfo.InvariantCulture));
        }
    }

    /// <summary><see cref="AppendValue"/> into a string (bucket bounds in <c>le</c>).</summary>
    public static string Value(double value)
    {
        var builder = new StringBuilder();
        AppendValue(builder, value);
        return builder.ToString();
    }

    private static string Sanitize(string name, bool allowColon)
    {
        if (name.Length == 0)
        {
            return "_";
        }

        var chars = name.ToCharArray();
        var changed = false;
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            var valid = char.IsAsciiLetter(c) || c == '_' || (allowColon && c == ':') || (i > 0 && char.IsAsciiDigit(c));
            if (!valid)
            {
                chars[i] = '_';
                changed = true;
            }
        }

        return changed ? new string(chars) : name;
    }
}
