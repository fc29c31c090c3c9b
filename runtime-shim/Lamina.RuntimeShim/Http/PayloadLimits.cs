using Lamina.Contracts.Lambda;

namespace Lamina.RuntimeShim.Http;

/// <summary>Lambda's synchronous payload limits, as its own error messages state them.</summary>
internal static class PayloadLimits
{
    /// <summary>The event: "Request must be smaller than 6291456 bytes for the InvokeFunction operation".</summary>
    public const int Request = LambdaInvokeApi.MaximumPayload;

    /// <summary>The result: "Response payload size exceeded maximum allowed payload size (6291556 bytes)".</summary>
    public const int Response = 6_291_556;
}
