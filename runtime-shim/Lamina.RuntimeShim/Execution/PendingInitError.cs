namespace Lamina.RuntimeShim.Execution;

/// <summary>A failed initialisation, kept until an invocation can be told (Lambda returns it to the first invoke).</summary>
internal sealed record PendingInitError(LambdaError Error, byte[] Body, byte[] Output, TimeSpan InitDuration);
