namespace Lamina.Gateway.Routing;

/// <summary>How one call to one environment ended, as far as routing cares.</summary>
internal enum ShimOutcome
{
    /// <summary>200 completed: the function ran. Final.</summary>
    Completed,

    /// <summary>400/413 rejected: the request is wrong. Final; the function did not run.</summary>
    Rejected,

    /// <summary>429 busy: another invocation (another replica's) is running there. Try another environment.</summary>
    Busy,

    /// <summary>503 unavailable: initialising, resetting or draining. Try another environment.</summary>
    Unavailable,

    /// <summary>The request never reached the shim (connection refused, connect timeout). Try another environment.</summary>
    NotDelivered,

    /// <summary>
    /// The request may have reached the shim but no complete answer came back (connection dropped,
    /// no answer in time, or an answer that is not the contract's). Final: the function may have run,
    /// so trying again could run it twice.
    /// </summary>
    Lost,
}
