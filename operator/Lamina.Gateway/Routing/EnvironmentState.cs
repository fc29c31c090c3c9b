namespace Lamina.Gateway.Routing;

/// <summary>Where an environment stands as this gateway replica sees it.</summary>
internal enum EnvironmentState
{
    /// <summary>In the pool's idle list: the next invocation may take it.</summary>
    Idle,

    /// <summary>An invocation from this replica is on it.</summary>
    InFlight,

    /// <summary>
    /// It answered busy or unavailable, or could not be reached: offered again when its rest ends,
    /// so that waiting invocations do not poll it.
    /// </summary>
    Resting,

    /// <summary>Dropped from the pool: its pod left.</summary>
    Gone,
}
