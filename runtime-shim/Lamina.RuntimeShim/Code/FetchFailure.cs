namespace Lamina.RuntimeShim.Code;

/// <summary>
/// Why a fetch failed, in one line a user can act on: it is what the shim prints, what the
/// termination log holds and so what the operator shows in the Function's condition.
/// </summary>
internal sealed class FetchFailure : Exception
{
    public FetchFailure(string message)
        : base(message)
    {
    }

    public FetchFailure(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public FetchFailure()
    {
    }
}
