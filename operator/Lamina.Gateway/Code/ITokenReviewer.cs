namespace Lamina.Gateway.Code;

/// <summary>Asks the API server who a token belongs to (TokenReview), for the code endpoint's audience only.</summary>
internal interface ITokenReviewer
{
    /// <summary>
    /// The token's user, or null when the API server does not authenticate it for
    /// <c>CodeFetchContract.TokenAudience</c> (forged, expired, another audience, its pod deleted).
    /// Throws when the API server cannot be asked: the caller fails closed.
    /// </summary>
    Task<ReviewedToken?> ReviewAsync(string token, CancellationToken cancellationToken);
}
