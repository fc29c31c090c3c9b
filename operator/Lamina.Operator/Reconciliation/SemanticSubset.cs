using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Lamina.Operator.Reconciliation;

/// <summary>
/// Decides whether an owned object already has every field the operator wants, so that a
/// reconcile of an unchanged object writes nothing. The API server adds defaults (a container's
/// terminationMessagePath, a port's protocol…) and rewrites quantities in canonical form (1024Mi
/// is stored as 1Gi); other actors add fields the operator does not manage. None of that is
/// drift: only a field the operator sets, holding another value, is.
/// </summary>
internal static partial class SemanticSubset
{
    /// <summary>Fields whose values are Kubernetes quantities, compared by value.</summary>
    private static readonly HashSet<string> QuantityParents = new(StringComparer.Ordinal) { "limits", "requests" };

    /// <summary>True when every field of <paramref name="desired"/> is in <paramref name="actual"/> with the same value.</summary>
    public static bool IsSubset(JsonNode? desired, JsonNode? actual) => FirstDifference(desired, actual) is null;

    /// <summary>The path of the first field of <paramref name="desired"/> that <paramref name="actual"/> lacks or holds differently; null when none.</summary>
    public static string? FirstDifference(JsonNode? desired, JsonNode? actual) => Difference(desired, actual, "", key: "", parentKey: "");

    /// <summary><paramref name="key"/>: this node's property name; <paramref name="parentKey"/>: its parent's.</summary>
    private static string? Difference(JsonNode? want, JsonNode? have, string path, string key, string parentKey) => (want, have) switch
    {
        (null, _) => null,
        (JsonObject wantObject, JsonObject haveObject) => ObjectDifference(wantObject, haveObject, path, key),
        (JsonArray wantArray, JsonArray haveArray) => ArrayDifference(wantArray, haveArray, path),
        (JsonValue wantValue, JsonValue haveValue) => SameValue(wantValue, haveValue, IsQuantity(key, parentKey)) ? null : path,
        _ => path,
    };

    private static bool IsQuantity(string key, string parentKey) => key == "sizeLimit" || QuantityParents.Contains(parentKey);

    private static string? ObjectDifference(JsonObject want, JsonObject have, string path, string ownKey)
    {
        foreach (var (key, value) in want)
        {
            var child = path.Length == 0 ? key : $"{path}.{key}";
            if (!have.TryGetPropertyValue(key, out var other) || other is null)
            {
                if (value is JsonArray { Count: 0 })
                {
                    // The API server drops an empty list (omitempty): a container without args comes
                    // back with none. Counting that as drift updated the Deployment on every
                    // reconcile, i.e. on every pod event of the function.
                    continue;
                }

                return child;
            }

            var difference = Difference(value, other, child, key, ownKey);
            if (difference is not null)
            {
                return difference;
            }
        }

        return null;
    }

    /// <summary>
    /// Lists of named items (containers, env, ports, volumes) merge by name, as server-side apply
    /// does: each wanted item must be present; others' items may be too. Other lists are atomic:
    /// same length, element by element.
    /// </summary>
    private static string? ArrayDifference(JsonArray want, JsonArray have, string path)
    {
        if (want.Count > 0 && want.All(item => item is JsonObject o && o["name"] is JsonValue))
        {
            foreach (var item in want)
            {
                var name = item!["name"]!.GetValue<string>();
                var match = have.FirstOrDefault(h => h is JsonObject o && o["name"] is JsonValue v && v.ToString() == name);
                var child = $"{path}[{name}]";
                var difference = match is null ? child : Difference(item, match, child, "", "");
                if (difference is not null)
                {
                    return difference;
                }
            }

            return null;
        }

        if (want.Count != have.Count)
        {
            return path;
        }

        for (var i = 0; i < want.Count; i++)
        {
            var difference = Difference(want[i], have[i], $"{path}[{i}]", "", "");
            if (difference is not null)
            {
                return difference;
            }
        }

        return null;
    }

    private static bool SameValue(JsonValue want, JsonValue have, bool quantity)
    {
        if (JsonNode.DeepEquals(want, have) || want.ToString() == have.ToString())
        {
            return true; // the second test: an int-or-string may come back as the other kind
        }

        return quantity
            && Quantity(want.ToString()) is { } a && Quantity(have.ToString()) is { } b && a == b;
    }

    /// <summary>A Kubernetes quantity's value (128Mi, 1Gi, 250m, 1.5, 2e3), or null when the text is not one.</summary>
    internal static decimal? Quantity(string text)
    {
        var match = QuantityPattern().Match(text);
        if (!match.Success || !decimal.TryParse(match.Groups["number"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        var suffix = match.Groups["suffix"].Value;
        decimal multiplier = suffix switch
        {
            "" => 1m,
            "n" => 0.000000001m,
            "u" => 0.000001m,
            "m" => 0.001m,
            "k" => 1e3m,
            "M" => 1e6m,
            "G" => 1e9m,
            "T" => 1e12m,
            "P" => 1e15m,
            "E" => 1e18m,
            "Ki" => 1024m,
            "Mi" => 1024m * 1024,
            "Gi" => 1024m * 1024 * 1024,
            "Ti" => 1024m * 1024 * 1024 * 1024,
            "Pi" => 1024m * 1024 * 1024 * 1024 * 1024,
            "Ei" => 1024m * 1024 * 1024 * 1024 * 1024 * 1024,
            _ => (decimal)Math.Pow(10, int.Parse(suffix[1..], CultureInfo.InvariantCulture)),
        };
        return number * multiplier;
    }

    [GeneratedRegex("^(?<number>[+-]?[0-9]+(\\.[0-9]*)?|[+-]?\\.[0-9]+)(?<suffix>Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$")]
    private static partial Regex QuantityPattern();
}
