namespace Lamina.Gateway.Tests.Routing;

/// <summary>How a <see cref="FakeShim"/> answers one invocation.</summary>
internal abstract record ShimReply
{
    /// <summary>200 <c>Lamina-Status: completed</c> with this body and headers.</summary>
    public sealed record Completed(string Payload, string? FunctionError = null, string? LogResult = null) : ShimReply;

    /// <summary>429 busy: as if another gateway replica's invocation were running there.</summary>
    public sealed record Busy : ShimReply;

    /// <summary>503 unavailable: initialising, resetting or draining.</summary>
    public sealed record Unavailable : ShimReply;

    /// <summary>400/413 rejected with a Lambda error body.</summary>
    public sealed record Rejected(int Status, string ErrorType, string Body) : ShimReply;

    /// <summary>Holds the invocation until <paramref name="Release"/> completes, then answers <paramref name="Then"/>.</summary>
    public sealed record Held(Task Release, ShimReply Then) : ShimReply;

    /// <summary>Reads the request, then drops the connection without answering: the pod killed mid-invocation.</summary>
    public sealed record Killed : ShimReply;

    /// <summary>500 without a <c>Lamina-Status</c>: not the contract.</summary>
    public sealed record ServerError : ShimReply;

    public static ShimReply Ok(string payload = """{"ok":true}""") => new Completed(payload);
}
