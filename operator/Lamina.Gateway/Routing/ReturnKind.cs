namespace Lamina.Gateway.Routing;

/// <summary>How an environment comes back to its pool after an invocation had it.</summary>
internal enum ReturnKind
{
    /// <summary>It answered (completed or rejected): idle again, first in line, refusals forgotten.</summary>
    Answered,

    /// <summary>It was handed to an invocation whose caller had just left: idle again, first in line.</summary>
    Unused,

    /// <summary>It refused or failed (busy, unavailable, unreachable, lost): it rests before it is offered again.</summary>
    Rest,
}
