namespace Lamina.Operator.Hosting;

/// <summary>One managed runtime: <c>Lamina:Operator:Runtimes:&lt;name&gt;</c> (the chart fills these from <c>operator.runtimes</c>).</summary>
internal sealed class RuntimeOptions
{
    /// <summary>The runtime's image (the runtime and the shim, no code).</summary>
    public string Image { get; set; } = "";

    /// <summary>The runtime's entrypoint, started by the shim with the handler as argument; empty: the AWS images' /lambda-entrypoint.sh.</summary>
    public List<string> Command { get; } = [];

    /// <summary>Whether functions on it must name a handler (false for the OS-only provided runtimes, whose bootstrap is the runtime).</summary>
    public bool HandlerRequired { get; set; } = true;
}
