using System.Text.Json.Nodes;

namespace Lamina.Operator.Reconciliation;

/// <summary>
/// Decides whether an owned object already has every field the operator wants, so that a
/// reconcile of an unchanged object writes nothing. The API server adds defaults (a container's
/// terminationMessagePath, a port's protocol…) and other actors add fields the operator does not
/// manage; both are fine. Only a field the operator sets, with another value, is drift.
/// </summary>
internal static class SemanticSubset
{
    /// <summary>True when every field of <paramref name="desired"/> is in <paramref name="actual"/> with the same value.</summary>
    public static bool IsSubset(JsonNode? desired, JsonNode? actual) => (desired, actual) switch
    {
        (null, _) => true,
        (JsonObject want, JsonObject have) => ObjectSubset(want, have),
        (JsonArray want, JsonArray have) => ArraySubset(want, have),
        (JsonValue want, JsonValue have) => JsonNode.DeepEquals(want, have) || SameScalarText(want, have),
        _ => false,
    };

    private static bool ObjectSubset(JsonObject want, JsonObject have)
    {
        foreach (var (key, value) in want)
        {
            if (!have.TryGetPropertyValue(key, out var other) || !IsSubset(value, other))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Lists of named items (containers, env, ports, volumes) merge by name, as server-side apply
    /// does: each wanted item must be present; others' items may be too. Other lists are atomic:
    /// same length, element by element.
    /// </summary>
    private static bool ArraySubset(JsonArray want, JsonArray have)
    {
        if (want.Count > 0 && want.All(item => item is JsonObject o && o["name"] is JsonValue))
        {
            foreach (var item in want)
            {
                var name = item!["name"]!.ToJsonString();
                var match = have.FirstOrDefault(h => h is JsonObject o && o["name"]?.ToJsonString() == name);
                if (match is null || !IsSubset(item, match))
                {
                    return false;
                }
            }

            return true;
        }

        if (want.Count != have.Count)
        {
            return false;
        }

        for (var i = 0; i < want.Count; i++)
        {
            if (!IsSubset(want[i], have[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>An int-or-string field may come back as the other kind ("8080" vs 8080) after defaulting.</summary>
    private static bool SameScalarText(JsonValue want, JsonValue have) =>
        want.ToString() == have.ToString();
}
