using System.Globalization;
using Lamina.Contracts.Lambda;

namespace Lamina.Gateway.Auth;

/// <summary>
/// What Lambda answers when a request is not authenticated or not allowed: every one is HTTP 403
/// with the exception name in <c>X-Amzn-ErrorType</c>, and the messages are AWS's own words, so
/// that a client or a script matching on them sees what it would see against AWS.
/// </summary>
internal static class AuthErrors
{
    /// <summary>No Authorization header at all.</summary>
    public const string MissingAuthenticationTokenException = "MissingAuthenticationTokenException";

    /// <summary>An Authorization header that is not a complete SigV4 one.</summary>
    public const string IncompleteSignatureException = "IncompleteSignatureException";

    /// <summary>A wrong signature, an expired date, or a credential scoped to another service or region.</summary>
    public const string InvalidSignatureException = "InvalidSignatureException";

    /// <summary>An access key id the gateway does not hold.</summary>
    public const string UnrecognizedClientException = "UnrecognizedClientException";

    /// <summary>A known caller invoking outside the namespaces its key grants.</summary>
    public const string AccessDeniedException = LambdaErrorCodes.AccessDenied;

    private const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";

    public static AuthResult.Denied MissingAuthenticationToken { get; } =
        new(MissingAuthenticationTokenException, "Missing Authentication Token");

    public static AuthResult.Denied UnrecognizedClient { get; } =
        new(UnrecognizedClientException, "The security token included in the request is invalid.");

    public static AuthResult.Denied SignatureDoesNotMatch { get; } =
        new(InvalidSignatureException, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");

    public static AuthResult.Denied HostNotSigned { get; } =
        new(IncompleteSignatureException, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");

    public static AuthResult.Denied WrongService { get; } =
        new(InvalidSignatureException, $"Credential should be scoped to correct service: '{SigV4Authenticator.LambdaService}'. ");

    public static AuthResult.Denied WrongRegion { get; } =
        new(InvalidSignatureException, "Credential should be scoped to a valid region. ");

    /// <summary>
    /// Parameters missing from the Authorization header (or a header of another scheme), in AWS's
    /// order: Credential, Signature, SignedHeaders, then the date header, then the header itself.
    /// </summary>
    public static AuthResult.Denied Incomplete(string authorization, bool credential, bool signature, bool signedHeaders, bool date)
    {
        var message = string.Concat(
            credential ? "" : "Authorization header requires 'Credential' parameter. ",
            signature ? "" : "Authorization header requires 'Signature' parameter. ",
            signedHeaders ? "" : "Authorization header requires 'SignedHeaders' parameter. ",
            date ? "" : "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ") + "Authorization=" + authorization;
        return new(IncompleteSignatureException, message);
    }

    public static AuthResult.Denied NotKeyValuePair(ReadOnlySpan<char> part, string authorization) =>
        new(IncompleteSignatureException, $"'{part}' not a valid key=value pair (missing equal-sign) in Authorization header: '{authorization}'.");

    public static AuthResult.Denied MalformedCredential(ReadOnlySpan<char> credential) =>
        new(IncompleteSignatureException, $"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'");

    public static AuthResult.Denied MalformedDate(string value) =>
        new(IncompleteSignatureException, $"Date must be in ISO-8601 'basic format'. Got '{value}'. See http://en.wikipedia.org/wiki/ISO_8601");

    public static AuthResult.Denied WrongTerminator(ReadOnlySpan<char> terminator) =>
        new(InvalidSignatureException, $"Credential should be scoped with a valid terminator: '{SigV4Signing.Terminator}', not '{terminator}'. ");

    public static AuthResult.Denied ScopeDateMismatch(ReadOnlySpan<char> scopeDate, string requestDate) =>
        new(InvalidSignatureException, $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scopeDate}' != '{requestDate.AsSpan(0, 8)}', from '{requestDate}'.");

    /// <summary>Lambda: <c>Signature expired: 20150830T123600Z is now earlier than 20150830T125500Z (20150830T130000Z - 5 min.)</c>.</summary>
    public static AuthResult.Denied Expired(string requestDate, DateTimeOffset now, TimeSpan skew) =>
        new(InvalidSignatureException, $"Signature expired: {requestDate} is now earlier than {Format(now - skew)} ({Format(now)} - {skew.TotalMinutes.ToString("0.##", CultureInfo.InvariantCulture)} min.)");

    /// <summary>Lambda: <c>Signature not yet current: 20150830T130000Z is still later than 20150830T124100Z (20150830T123600Z + 5 min.)</c>.</summary>
    public static AuthResult.Denied NotYetCurrent(string requestDate, DateTimeOffset now, TimeSpan skew) =>
        new(InvalidSignatureException, $"Signature not yet current: {requestDate} is still later than {Format(now + skew)} ({Format(now)} + {skew.TotalMinutes.ToString("0.##", CultureInfo.InvariantCulture)} min.)");

    /// <summary>
    /// A caller whose key does not grant the function's namespace. The message names only what the
    /// caller asked for, and the check comes before the function is looked up, so a denied caller
    /// cannot tell a function that exists from one that does not.
    /// </summary>
    public static AuthResult.Denied NotAuthorized(Caller caller, string resource) =>
        new(AccessDeniedException, $"User: {caller.Identity} is not authorized to perform: lambda:InvokeFunction on resource: {resource} because no identity-based policy allows the lambda:InvokeFunction action");

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture);
}
