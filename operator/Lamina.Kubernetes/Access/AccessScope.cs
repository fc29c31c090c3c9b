namespace Lamina.Kubernetes.Access;

/// <summary>Where a <see cref="AccessRule"/> applies, which decides the kind of RBAC object that grants it.</summary>
public enum AccessScope
{
    /// <summary>Every namespace the program watches: a ClusterRole, or a Role in the one namespace it is limited to.</summary>
    Watched,

    /// <summary>The namespace Lamina is installed in (its Lease and Secrets): a Role there.</summary>
    Installation,

    /// <summary>The namespace holding the gateway's access-key Secrets: a Role there.</summary>
    AccessKeys,

    /// <summary>A cluster-scoped resource (TokenReviews): a ClusterRole, whatever the program watches.</summary>
    Cluster,
}
