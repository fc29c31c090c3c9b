namespace Lamina.Gateway.Routing;

/// <summary>How an environment comes back to its pool after an invocation had it.</summary>
internal enum ReturnKind
{
    /// <summary>It answered (completed or rejected): idle again, first in line, refusals forgotten.</summary>
    Answered,

    /// <summary>It was handed to an invocation whose caller had just left: idle again, first in line.</summary>
    Unused,

    /// <summary>It answered busy (another gateway's invocation is there): it rests before it is offered again.</summary>
    Rest,

    /// <summary>
    /// It is of no use to this gateway now (unavailable, unreachable, or lost mid-invocation): its
    /// lease goes back to the controller, which knows what became of the pod.
    /// </summary>
    Release,
}
