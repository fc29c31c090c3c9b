namespace Lamina.Gateway.Auth;

/// <summary>The outcome of checking a request's signature.</summary>
internal abstract record AuthResult
{
    private AuthResult()
    {
    }

    /// <summary>
    /// A caller. From <see cref="IRequestAuthenticator.AuthenticateHeaders"/>, its signature is still
    /// to be verified over the body with the key and request date kept here.
    /// </summary>
    public sealed record Authenticated(Caller Caller) : AuthResult
    {
        /// <summary>The signature is still to be checked over the body's SHA-256 (<see cref="IRequestAuthenticator.VerifyBody"/>).</summary>
        public bool SignaturePending { get; init; }

        /// <summary>The key the request is signed with (SigV4), for the signature check after the body.</summary>
        internal AccessKey? Key { get; init; }

        /// <summary>The request's date in the X-Amz-Date form, as the string to sign has it (SigV4).</summary>
        internal string? RequestDate { get; init; }
    }

    /// <summary>403 with Lambda's error shape: <paramref name="Exception"/> goes in X-Amzn-ErrorType.</summary>
    public sealed record Denied(string Exception, string Message) : AuthResult;
}
