using System.Collections.Frozen;
using Lamina.Gateway.Auth;
using Lamina.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Lamina.Gateway.Tests.Auth;

/// <summary>
/// Every way a SigV4 request is refused, each with the exception name and message Lambda answers,
/// and the request shapes that must still verify (another region, a Date header, names listed in
/// another order).
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class SigV4AuthenticatorTests
{
    private static readonly AccessKey Key = new(TestSigner.KeyId, TestSigner.Secret, new[] { "team-a", "team-b" }.ToFrozenSet(), "team-a");

    private readonly FakeAccessKeyStore _keys = new(Key);
    private readonly SigV4Authenticator _authenticator;
    private readonly SignedInvoke _signed = new();

    public SigV4AuthenticatorTests()
    {
        _authenticator = new SigV4Authenticator(_keys, region: null, SigV4Authenticator.LambdaService, NullLogger.Instance);
    }

    [Fact]
    public void Authenticate_SignedRequest_CallerWithTheKeysGrant()
    {
        var result = _authenticator.Authenticate(_signed.Build(), _signed.Body, SignedInvoke.Now);

        var caller = Assert.IsType<AuthResult.Authenticated>(result).Caller;
        Assert.Equal(TestSigner.KeyId, caller.Identity);
        Assert.Equal("team-a", caller.DefaultNamespace);
        Assert.True(caller.MayInvokeIn("team-b"));
        Assert.False(caller.MayInvokeIn("team-c"));
    }

    [Fact]
    public void Authenticate_NoAuthorizationHeader_MissingAuthenticationToken()
    {
        var result = _authenticator.Authenticate(_signed.Build(h => h.Remove("Authorization")), _signed.Body, SignedInvoke.Now);

        var denied = Assert.IsType<AuthResult.Denied>(result);
        Assert.Equal("MissingAuthenticationTokenException", denied.Exception);
        Assert.Equal("Missing Authentication Token", denied.Message);
        Assert.Equal(0, _keys.Lookups);
    }

    [Fact]
    public void Authenticate_EmptyAuthorizationHeader_MissingAuthenticationToken()
    {
        var result = _authenticator.Authenticate(_signed.Build(h => h.Authorization = ""), _signed.Body, SignedInvoke.Now);

        Assert.Same(AuthErrors.MissingAuthenticationToken, result);
    }

    [Fact]
    public void Authenticate_AnotherScheme_IncompleteSignatureListingEveryParameter()
    {
        var result = _authenticator.Authenticate(_signed.Build(h => h.Authorization = "Bearer abc.def"), _signed.Body, SignedInvoke.Now);

        var denied = Assert.IsType<AuthResult.Denied>(result);
        Assert.Equal("IncompleteSignatureException", denied.Exception);
        Assert.Equal(
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=Bearer abc.def",
            denied.Message);
    }

    [Fact]
    public void Authenticate_SigV2HeaderWithoutDate_IncompleteSignatureAlsoAskingForTheDate()
    {
        var request = _signed.Build(h =>
        {
            h.Authorization = "AWS AKIDEXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=";
            h.Remove("X-Amz-Date");
        });

        var result = _authenticator.Authenticate(request, _signed.Body, SignedInvoke.Now);

        Assert.Equal(
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS AKIDEXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=",
            Assert.IsType<AuthResult.Denied>(result).Message);
    }

    [Fact]
    public void Authenticate_NoSignatureParameter_IncompleteSignatureNamingIt()
    {
        var header = $"AWS4-HMAC-SHA256 Credential={TestSigner.KeyId}/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date";

        var result = _authenticator.Authenticate(_signed.Build(h => h.Authorization = header), _signed.Body, SignedInvoke.Now);

        var denied = Assert.IsType<AuthResult.Denied>(result);
        Assert.Equal(AuthErrors.IncompleteSignatureException, denied.Exception);
        Assert.Equal($"Authorization header requires 'Signature' parameter. Authorization={header}", denied.Message);
    }

    [Fact]
    public void Authenticate_NoDateHeader_IncompleteSignatureAskingForIt()
    {
        var result = _authenticator.Authenticate(_signed.Build(h => h.Remove("X-Amz-Date")), _signed.Body, SignedInvoke.Now);

        var denied = Assert.IsType<AuthResult.Denied>(result);
        Assert.Equal(AuthErrors.IncompleteSignatureException, denied.Exception);
        Assert.StartsWith("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 ", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Authenticate_ParameterWithoutEqualsSign_IncompleteSignature()
    {
        var header = _signed.Authorization.Replace("Credential=", "Credential ", StringComparison.Ordinal);

        var result = _authenticator.Authenticate(_signed.Build(h => h.Authorization = header), _signed.Body, SignedInvoke.Now);

        var denied = Assert.IsType<AuthResult.Denied>(result);
        Assert.Equal(AuthErrors.IncompleteSignatureException, denied.Exception);
        Assert.Equal($"'Credential {TestSigner.KeyId}/20260101/us-east-1/lambda/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'.", denied.Message);
    }

    [Theory]
    [InlineData("AKIDEXAMPLE/20260101/us-east-1/lambda")]
    [InlineData("AKIDEXAMPLE/20260101/us-east-1/lambda/aws4_request/extra")]
    [InlineData("AKIDEXAMPLE//us-east-1/lambda/aws4_request")]
    public void Authenticate_CredentialNotFiveElements_IncompleteSignature(string credential)
    {
        var header = _signed.Authorization.Replace($"{TestSigner.KeyId}/20260101/us-east-1/lambda/aws4_request", credential, StringComparison.Ordinal);

        var result = _authenticator.Authenticate(_signed.Build(h => h.Authorization = header), _signed.Body, SignedInvoke.Now);

        var denied = Assert.IsType<AuthResult.Denied>(result);
        Assert.Equal(AuthErrors.IncompleteSignatureException, denied.Exception);
        Assert.Equal($"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'", denied.Message);
    }

    [Fact]
    public void Authenticate_DateNotInBasicFormat_IncompleteSignature()
    {
        var result = _authenticator.Authenticate(_signed.Build(h => h["X-Amz-Date"] = "2026-01-01T12:00:00Z"), _signed.Body, SignedInvoke.Now);

        var denied = Assert.IsType<AuthResult.Denied>(result);
        Assert.Equal(AuthErrors.IncompleteSignatureException, denied.Exception);
        Assert.Equal("Date must be in ISO-8601 'basic format'. Got '2026-01-01T12:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601", denied.Message);
    }

    [Fact]
    public void Authenticate_UnknownKeyId_UnrecognizedClient()
    {
        var signed = _signed with { KeyId = "AKIDNOBODYHOLDS" };

        var result = _authenticator.Authenticate(signed.Build(), signed.Body, SignedInvoke.Now);

        var denied = Assert.IsType<AuthResult.Denied>(result);
        Assert.Equal("UnrecognizedClientException", denied.Exception);
        Assert.Equal("The security token included in the request is invalid.", denied.Message);
    }

    [Fact]
    public void Authenticate_SignedWithAnotherSecret_InvalidSignature()
    {
        var signed = _signed with { Secret = "not-the-secret" };

        var result = _authenticator.Authenticate(signed.Build(), signed.Body, SignedInvoke.Now);

        var denied = Assert.IsType<AuthResult.Denied>(result);
        Assert.Equal("InvalidSignatureException", denied.Exception);
        Assert.Equal(
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
            denied.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("F2892EE0DDBC482F206DC366FC277B3E3E914DE16A1B0199801C46DC08CEC29E")]
    public void Authenticate_SignatureNotTheRightHex_InvalidSignature(string signature)
    {
        var header = _signed.Authorization[..(_signed.Authorization.IndexOf("Signature=", StringComparison.Ordinal) + "Signature=".Length)] + signature;

        var result = _authenticator.Authenticate(_signed.Build(h => h.Authorization = header), _signed.Body, SignedInvoke.Now);

        Assert.Same(AuthErrors.SignatureDoesNotMatch, result);
    }

    [Fact]
    public void Authenticate_SignedFiveMinutesAndASecondAgo_SignatureExpiredInLambdasWords()
    {
        // Lambda's window is five minutes (other AWS services allow 15; the gateway did too).
        var clock = new FakeTimeProvider(SignedInvoke.Now + TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        var result = _authenticator.Authenticate(_signed.Build(), _signed.Body, clock.GetUtcNow());

        var denied = Assert.IsType<AuthResult.Denied>(result);
        Assert.Equal("InvalidSignatureException", denied.Exception);
        Assert.Equal("Signature expired: 20260101T120000Z is now earlier than 20260101T120001Z (20260101T120501Z - 5 min.)", denied.Message);
    }

    [Fact]
    public void Authenticate_SignedFiveMinutesAndASecondAhead_SignatureNotYetCurrentInLambdasWords()
    {
        var clock = new FakeTimeProvider(SignedInvoke.Now - TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));

        var result = _authenticator.Authenticate(_signed.Build(), _signed.Body, clock.GetUtcNow());

        var denied = Assert.IsType<AuthResult.Denied>(result);
        Assert.Equal("InvalidSignatureException", denied.Exception);
        Assert.Equal("Signature not yet current: 20260101T120000Z is still later than 20260101T115959Z (20260101T115459Z + 5 min.)", denied.Message);
    }

    [Theory]
    [InlineData(-(4 * 60 + 59))]
    [InlineData(4 * 60 + 59)]
    [InlineData(-5 * 60)]
    [InlineData(5 * 60)]
    [InlineData(0)]
    public void Authenticate_ClockSkewWithinFiveMinutes_Authenticated(int skewSeconds)
    {
        var clock = new FakeTimeProvider(SignedInvoke.Now + TimeSpan.FromSeconds(skewSeconds));

        var result = _authenticator.Authenticate(_signed.Build(), _signed.Body, clock.GetUtcNow());

        Assert.IsType<AuthResult.Authenticated>(result);
    }

    [Theory]
    [InlineData(-(5 * 60 + 1))]
    [InlineData(5 * 60 + 1)]
    public void Authenticate_ClockSkewJustPastFiveMinutes_InvalidSignatureWithoutLookingTheKeyUp(int skewSeconds)
    {
        var clock = new FakeTimeProvider(SignedInvoke.Now + TimeSpan.FromSeconds(skewSeconds));

        var result = _authenticator.Authenticate(_signed.Build(), _signed.Body, clock.GetUtcNow());

        Assert.Equal("InvalidSignatureException", Assert.IsType<AuthResult.Denied>(result).Exception);
        Assert.Equal(0, _keys.Lookups);
    }

    [Theory]
    [InlineData(14 * 60 + 59, true)]
    [InlineData(15 * 60 + 1, false)]
    public void Authenticate_WindowConfiguredTo15Minutes_ThatWindow(int skewSeconds, bool accepted)
    {
        var authenticator = new SigV4Authenticator(_keys, region: null, SigV4Authenticator.LambdaService, NullLogger.Instance, TimeSpan.FromMinutes(15));

        var result = authenticator.Authenticate(_signed.Build(), _signed.Body, SignedInvoke.Now + TimeSpan.FromSeconds(skewSeconds));

        Assert.Equal(accepted, result is AuthResult.Authenticated);
        if (!accepted)
        {
            Assert.EndsWith("(20260101T121501Z - 15 min.)", ((AuthResult.Denied)result).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Authenticate_ExpiredRequestFromUnknownKey_ExpiredWithoutLookingTheKeyUp()
    {
        var signed = _signed with { KeyId = "AKIDNOBODYHOLDS" };

        var result = _authenticator.Authenticate(signed.Build(), signed.Body, SignedInvoke.Now + TimeSpan.FromHours(1));

        Assert.StartsWith("Signature expired: ", Assert.IsType<AuthResult.Denied>(result).Message, StringComparison.Ordinal);
        Assert.Equal(0, _keys.Lookups);
    }

    [Fact]
    public void Authenticate_ScopedToAnotherService_InvalidSignature()
    {
        var signed = _signed with { Service = "s3" };

        var result = _authenticator.Authenticate(signed.Build(), signed.Body, SignedInvoke.Now);

        var denied = Assert.IsType<AuthResult.Denied>(result);
        Assert.Equal("InvalidSignatureException", denied.Exception);
        Assert.Equal("Credential should be scoped to correct service: 'lambda'. ", denied.Message);
    }

    [Fact]
    public void Authenticate_ScopeWithAnotherTerminator_InvalidSignature()
    {
        var header = _signed.Authorization.Replace("/aws4_request", "/aws5_request", StringComparison.Ordinal);

        var result = _authenticator.Authenticate(_signed.Build(h => h.Authorization = header), _signed.Body, SignedInvoke.Now);

        var denied = Assert.IsType<AuthResult.Denied>(result);
        Assert.Equal("InvalidSignatureException", denied.Exception);
        Assert.Equal("Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ", denied.Message);
    }

    [Fact]
    public void Authenticate_ScopeDateNotTheRequestDate_InvalidSignature()
    {
        var header = _signed.Authorization.Replace("/20260101/", "/20251231/", StringComparison.Ordinal);

        var result = _authenticator.Authenticate(_signed.Build(h => h.Authorization = header), _signed.Body, SignedInvoke.Now);

        var denied = Assert.IsType<AuthResult.Denied>(result);
        Assert.Equal("InvalidSignatureException", denied.Exception);
        Assert.Equal("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20251231' != '20260101', from '20260101T120000Z'.", denied.Message);
    }

    [Theory]
    [InlineData("eu-west-3")]
    [InlineData("local")]
    public void Authenticate_AnyRegionWhenNoneConfigured_Authenticated(string region)
    {
        var signed = _signed with { Region = region };

        var result = _authenticator.Authenticate(signed.Build(), signed.Body, SignedInvoke.Now);

        Assert.IsType<AuthResult.Authenticated>(result);
    }

    [Fact]
    public void Authenticate_AnotherRegionThanConfigured_InvalidSignature()
    {
        var authenticator = new SigV4Authenticator(_keys, "us-east-1", SigV4Authenticator.LambdaService, NullLogger.Instance);
        var signed = _signed with { Region = "eu-west-3" };

        var result = authenticator.Authenticate(signed.Build(), signed.Body, SignedInvoke.Now);

        var denied = Assert.IsType<AuthResult.Denied>(result);
        Assert.Equal("InvalidSignatureException", denied.Exception);
        Assert.Equal("Credential should be scoped to a valid region. ", denied.Message);
        Assert.IsType<AuthResult.Authenticated>(authenticator.Authenticate(_signed.Build(), _signed.Body, SignedInvoke.Now));
    }

    [Fact]
    public void Authenticate_HostNotSigned_IncompleteSignature()
    {
        var canonical = $"POST\n{_signed.Path}\n\nx-amz-date:{_signed.AmzDate}\n\nx-amz-date\n{TestSigner.Sha256Hex(_signed.Body)}";
        var header = $"AWS4-HMAC-SHA256 Credential={TestSigner.KeyId}/20260101/us-east-1/lambda/aws4_request, SignedHeaders=x-amz-date, Signature={TestSigner.Signature(TestSigner.Secret, _signed.AmzDate, "us-east-1", "lambda", canonical)}";

        var result = _authenticator.Authenticate(_signed.Build(h => h.Authorization = header), _signed.Body, SignedInvoke.Now);

        var denied = Assert.IsType<AuthResult.Denied>(result);
        Assert.Equal("IncompleteSignatureException", denied.Exception);
        Assert.Equal("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", denied.Message);
    }

    [Fact]
    public void Authenticate_SignedHeaderMissingFromRequest_InvalidSignature()
    {
        var signed = _signed with { Headers = [new("x-amz-log-type", "Tail")] };

        var result = _authenticator.Authenticate(signed.Build(h => h.Remove("x-amz-log-type")), signed.Body, SignedInvoke.Now);

        Assert.Same(AuthErrors.SignatureDoesNotMatch, result);
    }

    [Fact]
    public void Authenticate_SignedInvocationTypeChanged_InvalidSignature()
    {
        var signed = _signed with { Headers = [new("x-amz-invocation-type", "DryRun")] };

        var result = _authenticator.Authenticate(signed.Build(h => h["X-Amz-Invocation-Type"] = "RequestResponse"), signed.Body, SignedInvoke.Now);

        Assert.Same(AuthErrors.SignatureDoesNotMatch, result);
    }

    [Fact]
    public void Authenticate_MethodChanged_InvalidSignature()
    {
        var request = _signed.Build();
        request.Method = "PUT";

        var result = _authenticator.Authenticate(request, _signed.Body, SignedInvoke.Now);

        Assert.Same(AuthErrors.SignatureDoesNotMatch, result);
    }

    [Fact]
    public void Authenticate_HostChanged_InvalidSignature()
    {
        var result = _authenticator.Authenticate(_signed.Build(h => h.Host = "gateway.test:8081"), _signed.Body, SignedInvoke.Now);

        Assert.Same(AuthErrors.SignatureDoesNotMatch, result);
    }

    [Fact]
    public void Authenticate_SignedHeadersListedUnsortedAndInCapitals_StillVerifies()
    {
        var signed = _signed with { Headers = [new("x-amz-log-type", "Tail")] };
        var header = signed.Authorization.Replace("SignedHeaders=host;x-amz-date;x-amz-log-type", "SignedHeaders=X-Amz-Log-Type;Host;x-amz-date", StringComparison.Ordinal);

        var result = _authenticator.Authenticate(signed.Build(h => h.Authorization = header), signed.Body, SignedInvoke.Now);

        Assert.IsType<AuthResult.Authenticated>(result);
    }

    [Fact]
    public void Authenticate_HeaderValueWithRunsOfSpaces_SignedTrimmedAndCollapsed()
    {
        var signed = _signed with { Headers = [new("x-amz-client-context", "a b")] };

        var result = _authenticator.Authenticate(signed.Build(h => h["X-Amz-Client-Context"] = "  a \t  b  "), signed.Body, SignedInvoke.Now);

        Assert.IsType<AuthResult.Authenticated>(result);
    }

    [Fact]
    public void Authenticate_HeaderSentTwice_ValuesJoinedWithComma()
    {
        var signed = _signed with { Headers = [new("x-custom", "one,two")] };

        var result = _authenticator.Authenticate(signed.Build(h => h["X-Custom"] = new(["one", "two"])), signed.Body, SignedInvoke.Now);

        Assert.IsType<AuthResult.Authenticated>(result);
    }

    [Fact]
    public void Authenticate_HttpDateHeaderInsteadOfAmzDate_Verified()
    {
        // botocore signs a Date header instead of X-Amz-Date when the request already has one.
        const string httpDate = "Thu, 01 Jan 2026 12:00:00 GMT";
        var canonical = $"POST\n{_signed.Path}\n\ndate:{httpDate}\nhost:{_signed.Host}\n\ndate;host\n{TestSigner.Sha256Hex(_signed.Body)}";
        var header = $"AWS4-HMAC-SHA256 Credential={TestSigner.KeyId}/20260101/us-east-1/lambda/aws4_request, SignedHeaders=date;host, Signature={TestSigner.Signature(TestSigner.Secret, "20260101T120000Z", "us-east-1", "lambda", canonical)}";
        var request = _signed.Build(h =>
        {
            h.Remove("X-Amz-Date");
            h.Date = httpDate;
            h.Authorization = header;
        });

        var result = _authenticator.Authenticate(request, _signed.Body, SignedInvoke.Now);

        Assert.IsType<AuthResult.Authenticated>(result);
    }

    [Fact]
    public void Authenticate_PathWithoutRawTarget_VerifiedFromTheDecodedPath()
    {
        var signed = BotocoreFixture.Load().Case("arn-with-qualifier-in-path");
        var authenticator = new SigV4Authenticator(
            new FakeAccessKeyStore(new AccessKey(BotocoreFixture.Load().AccessKeyId, BotocoreFixture.Load().SecretAccessKey, null, "default")), null, SigV4Authenticator.LambdaService, NullLogger.Instance);
        var request = signed.Build();
        request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget = "";

        var result = authenticator.Authenticate(request, signed.Body, signed.Now);

        Assert.IsType<AuthResult.Authenticated>(result);
    }

    [Fact]
    public void NotAuthorized_NamespaceOutsideTheGrant_AccessDeniedNamingOnlyWhatWasAsked()
    {
        var caller = new Caller(TestSigner.KeyId, Key.Namespaces, Key.DefaultNamespace);

        var denied = AuthErrors.NotAuthorized(caller, "arn:aws:lambda:us-east-1:000000000000:function:team-c.hello");

        Assert.False(caller.MayInvokeIn("team-c"));
        Assert.Equal("AccessDeniedException", denied.Exception);
        Assert.Equal($"User: {TestSigner.KeyId} is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:000000000000:function:team-c.hello because no identity-based policy allows the lambda:InvokeFunction action", denied.Message);
    }
}
