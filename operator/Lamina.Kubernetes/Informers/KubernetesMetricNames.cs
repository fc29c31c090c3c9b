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

    /// <summary>Tag on both counters: the resource, <c>plural</c> for the core group or <c>plural.group</c> (<c>deployments.apps</c>).</summary>
    public const string ResourceTag = "resource";
}
