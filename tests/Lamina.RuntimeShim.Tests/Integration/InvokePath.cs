namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>The shim's two ways in for callers.</summary>
public enum InvokePath
{
    /// <summary>The gateway's contract: POST /lamina/v1/invoke with Lamina-* headers.</summary>
    Contract,

    /// <summary>RIE's Lambda path: POST /2015-03-31/functions/function/invocations with X-Amz-* headers.</summary>
    Rie,
}
