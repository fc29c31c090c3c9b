namespace Lamina.Gateway.Routing;

/// <summary>
/// Hears of environments as <see cref="EnvironmentRegistry"/> admits and drops them, one call at a
/// time and in order. Calls are made under the registry's lock: keep them short and never call the
/// registry back.
/// </summary>
internal interface IEnvironmentObserver
{
    /// <summary>A pod of <paramref name="function"/> became ready (or was there when the observer subscribed).</summary>
    void EnvironmentAdded(FunctionKey function, FunctionEnvironment environment);

    /// <summary>The pod stopped being ready, is being deleted, or is gone.</summary>
    void EnvironmentRemoved(FunctionKey function, FunctionEnvironment environment);
}
