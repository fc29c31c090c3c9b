namespace Lamina.Operator.Reconciliation;

/// <summary>
/// A managed runtime of this installation (<c>Lamina:Operator:Runtimes:&lt;name&gt;</c>, filled by the
/// chart's <c>operator.runtimes</c>): the image whose runtime runs a zip function's code.
/// </summary>
/// <param name="Image">The runtime's image; it carries no code (that is fetched into /var/task).</param>
/// <param name="Command">The runtime's entrypoint, which the shim starts with the handler as argument.</param>
/// <param name="HandlerRequired">Whether a function must name a handler (the OS-only provided runtimes run the zip's bootstrap and need none).</param>
internal sealed record ManagedRuntime(string Image, IReadOnlyList<string> Command, bool HandlerRequired);
