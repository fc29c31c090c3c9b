namespace Lamina.Gateway.Auth;

/// <summary>The outcome of checking a request's signature.</summary>
internal abstract record AuthResult
{
    private AuthResult()
    {
    }

    public sealed record Authenticated(Caller Caller) : AuthResult;

    /// <summary>403 with Lambda's error shape: <paramref name="Exception"/> goes in X-Amzn-ErrorType.</summary>
    public sealed record Denied(string Exception, string Message) : AuthResult;
}
