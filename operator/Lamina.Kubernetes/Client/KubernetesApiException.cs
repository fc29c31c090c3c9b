using System.Net;
using k8s.Models;

namespace Lamina.Kubernetes.Client;

/// <summary>
/// The API server refused a request. Carries the HTTP status and the server's <see cref="V1Status"/>
/// (reason, message, causes) so callers can tell NotFound, Conflict, AlreadyExists and Invalid apart.
/// </summary>
public sealed class KubernetesApiException : Exception
{
    /// <summary>Creates the exception from a response's status code and decoded Status (if any).</summary>
    public KubernetesApiException(HttpStatusCode statusCode, V1Status? status, string? fallbackMessage = null)
        : base(status?.Message ?? fallbackMessage ?? $"the API server answered {(int)statusCode} {statusCode}")
    {
        StatusCode = statusCode;
        Status = status;
    }

    /// <summary>The HTTP status code.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The API server's Status object, when it sent one.</summary>
    public V1Status? Status { get; }

    /// <summary>The machine-readable reason (<c>NotFound</c>, <c>Conflict</c>, <c>AlreadyExists</c>, <c>Invalid</c>, <c>Expired</c>…).</summary>
    public string? Reason => Status?.Reason;

    /// <summary>404.</summary>
    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;

    /// <summary>409 with reason Conflict: a stale resourceVersion or an apply conflict.</summary>
    public bool IsConflict => StatusCode == HttpStatusCode.Conflict && Reason != StatusReasons.AlreadyExists;

    /// <summary>409 with reason AlreadyExists.</summary>
    public bool IsAlreadyExists => StatusCode == HttpStatusCode.Conflict && Reason == StatusReasons.AlreadyExists;

    /// <summary>422: the object failed validation; <see cref="V1Status.Details"/> lists the causes.</summary>
    public bool IsInvalid => StatusCode == HttpStatusCode.UnprocessableEntity;

    /// <summary>410: the requested resourceVersion is too old (a watch must relist).</summary>
    public bool IsGone => StatusCode == HttpStatusCode.Gone;
}

/// <summary>The Status reasons callers branch on.</summary>
public static class StatusReasons
{
    /// <summary>Create of an object that exists.</summary>
    public const string AlreadyExists = "AlreadyExists";

    /// <summary>Optimistic-concurrency or apply conflict.</summary>
    public const string Conflict = "Conflict";

    /// <summary>Validation failure.</summary>
    public const string Invalid = "Invalid";

    /// <summary>No such object.</summary>
    public const string NotFound = "NotFound";

    /// <summary>A resourceVersion too old to watch from (HTTP 410).</summary>
    public const string Expired = "Expired";

    /// <summary>Same meaning as Expired, sent by some servers.</summary>
    public const string Gone = "Gone";
}
