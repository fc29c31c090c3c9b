namespace Lamina.CodeStore;

/// <summary>Why a call to the code store failed, so callers can answer without parsing messages.</summary>
public enum CodeStoreFailure
{
    /// <summary>The registry refused the credentials, or asked for some and none are configured (401).</summary>
    Unauthorized,

    /// <summary>The credentials are valid but not allowed this repository or action (403).</summary>
    Forbidden,

    /// <summary>The repository, blob or upload is not there (404) where it must be.</summary>
    NotFound,

    /// <summary>The registry refused the request itself (another 4xx: a digest that does not match, a bad manifest).</summary>
    Rejected,

    /// <summary>The registry failed (5xx) or is overloaded (429).</summary>
    Unavailable,

    /// <summary>No answer: the address does not resolve, the connection is refused, TLS fails, or it timed out.</summary>
    Unreachable,

    /// <summary>The registry answered something the OCI distribution API does not allow (no upload location, no length).</summary>
    Protocol,

    /// <summary>No code store is configured (<see cref="CodeStoreOptions.Url"/> is empty): nothing can be stored or read.</summary>
    NotConfigured,
}
