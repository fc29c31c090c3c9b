namespace Lamina.Gateway.Routing;

/// <summary>
/// One execution environment of a function: a ready function pod, named by <paramref name="Pod"/>
/// (unique within the function's namespace), and its shim's endpoint.
/// </summary>
internal sealed record FunctionEnvironment(string Pod, EnvironmentEndpoint Endpoint)
{
    /// <summary>Where invocations are POSTed; built once, not per invocation.</summary>
    public Uri InvokeUri { get; } = Endpoint.InvokeUri();

    public override string ToString() => $"{Pod} ({Endpoint})";
}
