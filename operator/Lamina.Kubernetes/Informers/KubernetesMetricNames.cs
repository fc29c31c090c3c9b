namespace Lamina.Kubernetes.Informers;

/// <summary>The names this library's System.Diagnostics.Metrics instruments publish under.</summary>
public static class KubernetesMetricNames
{
    /// <summary>The meter every instrument of the library belongs to.</summary>
    public const string MeterName = "Lamina.Kubernetes";

    /// <summary>Counter: watches that ended (closed by the server, failed, or expired) and were re-established.</summary>
    public const string WatchRestarts = "lamina_kubernetes_watch_restarts_total";

    /// <summary>Counter: full relists after the first, forced by an expired (410 Gone) resourceVersion.</summary>
    public const string Relists = "lamina_kubernetes_relists_total";

    /// <summary>Counter: requests sent to the API server, tagged with verb, group, resource and code.</summary>
    public const string Requests = "lamina_kubernetes_requests_total";

    /// <summary>Histogram: seconds to the API server's response headers, tagged with verb, group and resource.</summary>
    public const string RequestDuration = "lamina_kubernetes_request_duration_seconds";

    /// <summary>Tag of the request metrics: the RBAC verb (get, list, watch, create, update, patch, delete).</summary>
    public const string VerbTag = "verb";

    /// <summary>Tag of the request metrics: the API group, empty for the core group.</summary>
    public const string GroupTag = "group";

    /// <summary>Tag of the request counter: the HTTP status code, or <c>error</c> when no response came.</summary>
    public const string CodeTag = "code";

    /// <summary>
    /// Tag: on the informer counters the resource as <c>plural</c> for the core group or <c>plural.group</c>
    /// (<c>deployments.apps</c>); on the request metrics as RBAC spells it, <c>plural</c> or
    /// <c>plural/subresource</c>, with the group in <see cref="GroupTag"/>.
    /// </summary>
    public const string ResourceTag = "resource";
}
