namespace Lamina.Gateway.Routing;

/// <summary>Where a leased environment stands as this gateway replica sees it.</summary>
internal enum EnvironmentState
{
    /// <summary>In the pool's idle list: the next invocation may take it.</summary>
    Idle,

    /// <summary>An invocation from this replica is on it.</summary>
    InFlight,

    /// <summary>
    /// It answered busy (another gateway still holds a stale lease on it): offered again when its
    /// rest ends, so that waiting invocations do not poll it.
    /// </summary>
    Resting,

    /// <summary>Its lease was given back (or dropped): never lent again.</summary>
    Released,
}
