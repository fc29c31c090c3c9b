namespace Lamina.RuntimeShim.Execution;

/// <summary>
/// A failed initialisation, kept until an invocation can be told (Lambda returns it to the first
/// invoke); <paramref name="Failed"/> is the runtime that failed, the one to reset then.
/// </summary>
internal sealed record PendingInitError(RuntimeGeneration Failed, LambdaError Error, byte[] Body, byte[] Output, TimeSpan InitDuration);
