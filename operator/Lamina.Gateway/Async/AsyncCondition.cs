namespace Lamina.Gateway.Async;

/// <summary>The final state of an async event: the destination record's <c>requestContext.condition</c>.</summary>
internal enum AsyncCondition
{
    /// <summary>The function returned a result.</summary>
    Success,

    /// <summary>It failed on every attempt the rules allow (or was refused in a way no retry can change).</summary>
    RetriesExhausted,

    /// <summary>It grew older than the function's maximum event age before it succeeded.</summary>
    EventAgeExceeded,
}
