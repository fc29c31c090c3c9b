using System.Net;

namespace Lamina.CodeStore;

/// <summary>
/// A call to the code store failed. <see cref="Failure"/> says how; the message names the registry,
/// the repository and what was asked, never a credential.
/// </summary>
public sealed class CodeStoreException : Exception
{
    /// <summary>A failure without an answer from the registry, or not about one.</summary>
    public CodeStoreException(CodeStoreFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    /// <summary>A failure the registry answered with <paramref name="statusCode"/> and, when it said one, its error code.</summary>
    public CodeStoreException(CodeStoreFailure failure, string message, HttpStatusCode statusCode, string? registryCode)
        : base(message)
    {
        Failure = failure;
        StatusCode = statusCode;
        RegistryCode = registryCode;
    }

    /// <summary>How the call failed.</summary>
    public CodeStoreFailure Failure { get; }

    /// <summary>The registry's HTTP status, when it answered.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The first error code of the registry's answer (<c>DIGEST_INVALID</c>, <c>UNAUTHORIZED</c>, …), when it gave one.</summary>
    public string? RegistryCode { get; }
}
