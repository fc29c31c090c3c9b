namespace Lamina.Kubernetes.Client;

/// <summary>Options of a list request.</summary>
public sealed record ListOptions
{
    /// <summary>At most this many items per page; the server returns a continue token for the rest.</summary>
    public int? Limit { get; init; }

    /// <summary>The continue token from the previous page.</summary>
    public string? Continue { get; init; }

    /// <summary>e.g. <c>app=x,tier!=y</c>.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>e.g. <c>metadata.name=x</c>.</summary>
    public string? FieldSelector { get; init; }

    /// <summary>Consistency of the list; empty or null reads the latest from etcd.</summary>
    public string? ResourceVersion { get; init; }
}

/// <summary>Options of a watch request.</summary>
public sealed record WatchOptions
{
    /// <summary>Events after this version (normally the list's resourceVersion).</summary>
    public string? ResourceVersion { get; init; }

    /// <summary>Ask for BOOKMARK events, so a reconnect can resume from a recent version.</summary>
    public bool AllowBookmarks { get; init; } = true;

    /// <summary>The server closes the watch after this long (it picks a random 5–10 min otherwise).</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>e.g. <c>app=x</c>.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>e.g. <c>metadata.name=x</c>.</summary>
    public string? FieldSelector { get; init; }
}

/// <summary>Options of a server-side apply.</summary>
/// <param name="FieldManager">Who owns the applied fields, e.g. <c>lamina-operator</c>.</param>
/// <param name="Force">Take ownership of fields another manager owns instead of failing with Conflict.</param>
public sealed record ApplyOptions(string FieldManager, bool Force = false);

/// <summary>How dependents are deleted.</summary>
public enum PropagationPolicy
{
    /// <summary>Dependents are deleted in the background by the garbage collector.</summary>
    Background,

    /// <summary>The object stays until its dependents are deleted.</summary>
    Foreground,

    /// <summary>Dependents are left behind.</summary>
    Orphan,
}

/// <summary>Options of a delete request.</summary>
public sealed record DeleteOptions
{
    /// <summary>How dependents are deleted; the server's default when null.</summary>
    public PropagationPolicy? PropagationPolicy { get; init; }

    /// <summary>Delete only this exact object (guards against deleting a re-created namesake).</summary>
    public string? PreconditionUid { get; init; }

    /// <summary>Seconds before forcible termination (pods); the object's default when null.</summary>
    public long? GracePeriodSeconds { get; init; }
}
