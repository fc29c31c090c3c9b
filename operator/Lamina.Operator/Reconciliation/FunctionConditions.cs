using k8s.Models;

namespace Lamina.Operator.Reconciliation;

/// <summary>The conditions of a Function and how they are set (metav1.Condition semantics).</summary>
internal static class FunctionConditions
{
    /// <summary>Top-level: the function can be invoked.</summary>
    public const string Ready = "Ready";

    /// <summary>The spec passed the checks the schema cannot make.</summary>
    public const string ConfigValid = "ConfigValid";

    /// <summary>The Deployment has rolled out the current spec.</summary>
    public const string DeploymentReady = "DeploymentReady";

    /// <summary>No execution environment (pod) has a container that fails to start or keeps exiting.</summary>
    public const string EnvironmentsHealthy = "EnvironmentsHealthy";

    /// <summary>Condition statuses.</summary>
    public const string True = "True";

    /// <summary>Condition statuses.</summary>
    public const string False = "False";

    /// <summary>Condition statuses.</summary>
    public const string Unknown = "Unknown";

    /// <summary>
    /// Returns <paramref name="conditions"/> with <paramref name="type"/> set. Messages must not be
    /// empty: server-side apply on 1.20 turns <c>""</c> into null, which the schema rejects. The transition time
    /// moves only when the status changes, so re-setting the same condition changes nothing.
    /// </summary>
    public static List<V1Condition> Set(
        IReadOnlyList<V1Condition>? conditions, string type, string status, string reason, string message, long? generation, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(message);
        var result = new List<V1Condition>();
        V1Condition? previous = null;
        foreach (var condition in conditions ?? [])
        {
            if (condition.Type == type)
            {
                previous = condition;
            }
            else
            {
                result.Add(condition);
            }
        }

        result.Add(new V1Condition
        {
            Type = type,
            Status = status,
            Reason = reason,
            Message = message,
            ObservedGeneration = generation,
            LastTransitionTime = previous?.Status == status && previous.LastTransitionTime is { } since ? since : TruncateToSeconds(now),
        });
        result.Sort((a, b) => Order(a.Type).CompareTo(Order(b.Type)));
        return result;
    }

    /// <summary>The condition of <paramref name="type"/>, if set.</summary>
    public static V1Condition? Find(IReadOnlyList<V1Condition>? conditions, string type)
    {
        foreach (var condition in conditions ?? [])
        {
            if (condition.Type == type)
            {
                return condition;
            }
        }

        return null;
    }

    /// <summary>Ready first, then the others in a fixed order: stable output, no spurious diffs.</summary>
    private static int Order(string? type) => type switch
    {
        Ready => 0,
        ConfigValid => 1,
        DeploymentReady => 2,
        EnvironmentsHealthy => 3,
        _ => 4,
    };

    /// <summary>metav1.Time keeps whole seconds: a time with a fraction would read back different and look like a change.</summary>
    public static DateTime TruncateToSeconds(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }
}
