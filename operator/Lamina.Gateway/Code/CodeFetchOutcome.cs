namespace Lamina.Gateway.Code;

/// <summary>How one request to the code endpoint ended: the label <c>outcome</c> of <c>lamina_code_fetches_total</c>.</summary>
internal enum CodeFetchOutcome
{
    /// <summary>200: the blob was sent whole.</summary>
    Served,

    /// <summary>400 or 404 before any check: not a blob path, a malformed namespace or digest, not GET.</summary>
    BadRequest,

    /// <summary>401: no Bearer token, or one the API server does not accept for the code audience.</summary>
    Unauthenticated,

    /// <summary>403: a valid token, but not of a function pod of that namespace whose own spec names the digest.</summary>
    Forbidden,

    /// <summary>404: allowed, but the store has no such blob.</summary>
    NotFound,

    /// <summary>503: the API server could not be asked (TokenReview or the pod's get failed or timed out).</summary>
    KubernetesUnavailable,

    /// <summary>503: no code store is configured on this gateway.</summary>
    StoreUnconfigured,

    /// <summary>503: the store could not be reached or refused the gateway.</summary>
    StoreUnavailable,

    /// <summary>The response had started when the store's stream failed: the connection is cut, so the pod sees a truncated body.</summary>
    Aborted,
}
