namespace Lamina.Gateway.Code;

/// <summary>The authorizer's log messages (EventIds 170-179 with the code endpoint's, docs/architecture.md).</summary>
internal sealed partial class CodeFetchAuthorizer
{
    [LoggerMessage(EventId = 175, Level = LogLevel.Warning, Message = "Code endpoint: the TokenReview failed; the fetch is refused with 503")]
    private partial void LogReviewFailed(Exception error);

    [LoggerMessage(EventId = 176, Level = LogLevel.Warning, Message = "Code endpoint: could not read pod {Namespace}/{Pod}; the fetch is refused with 503")]
    private partial void LogPodReadFailed(Exception error, string @namespace, string pod);
}
