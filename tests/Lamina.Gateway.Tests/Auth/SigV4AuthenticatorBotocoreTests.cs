using Lamina.Gateway.Auth;
using Lamina.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lamina.Gateway.Tests.Auth;

/// <summary>
/// Invoke requests exactly as botocore (the AWS CLI v1's and boto3's signer) and the AWS CLI itself
/// sent them (botocore-invoke-fixtures.json, from sign_fixtures.py): each verifies, the gateway's
/// canonical request is botocore's, and each fails when one byte of its body, a signed header, its
/// path or its query changes.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class SigV4AuthenticatorBotocoreTests
{
    private static readonly BotocoreFixture Fixture = BotocoreFixture.Load();

    private readonly SigV4Authenticator _authenticator = new(
        new FakeAccessKeyStore(new AccessKey(Fixture.AccessKeyId, Fixture.SecretAccessKey, null, "default")), region: null, SigV4Authenticator.LambdaService, NullLogger.Instance);

    public static TheoryData<string> Cases => [.. Fixture.Cases.Select(c => c.Name)];

    public static TheoryData<string> CasesWithCanonicalRequest => [.. Fixture.Cases.Where(c => c.CanonicalRequest is not null).Select(c => c.Name)];

    public static TheoryData<string> CasesWithQuery => [.. Fixture.Cases.Where(c => c.Target.Contains('?', StringComparison.Ordinal)).Select(c => c.Name)];

    public static TheoryData<string, string> SignedHeaders
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var signed in Fixture.Cases)
            {
                foreach (var header in signed.SignedHeaders)
                {
                    data.Add(signed.Name, header);
                }
            }

            return data;
        }
    }

    [Fact]
    public void Fixture_CoversTheInvokeShapes_AllPresent()
    {
        var names = Fixture.Cases.Select(c => c.Name).ToHashSet();

        Assert.Superset(
            new HashSet<string>
            {
                "bare-name", "namespaced-name", "arn-with-qualifier-in-path", "qualifier-query", "client-context", "log-type-tail",
                "empty-body", "unicode-body", "session-token", "aws-cli-namespaced-tail", "aws-cli-arn-qualifier",
            },
            names);
        Assert.Contains(Fixture.Cases, c => c.Source == "aws-cli");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Authenticate_AsBotocoreSignedIt_Authenticated(string name)
    {
        var signed = Fixture.Case(name);

        var result = _authenticator.Authenticate(signed.Build(), signed.Body, signed.Now);

        var caller = Assert.IsType<AuthResult.Authenticated>(result).Caller;
        Assert.Equal(Fixture.AccessKeyId, caller.Identity);
    }

    [Theory]
    [MemberData(nameof(CasesWithCanonicalRequest))]
    public void WriteCanonicalRequest_AsBotocoreSignedIt_IsBotocoresCanonicalRequest(string name)
    {
        var signed = Fixture.Case(name);
        var buffer = SigV4Buffer.Rent();

        SigV4Canonicalizer.WriteCanonicalRequest(buffer, signed.Build(), string.Join(';', signed.SignedHeaders), signed.Body);

        Assert.Equal(signed.CanonicalRequest, buffer.ToString());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Authenticate_OneBodyByteChanged_InvalidSignature(string name)
    {
        var signed = Fixture.Case(name);
        // An empty body gains a byte; any other has its last byte changed.
        var body = signed.Body.Length == 0 ? [(byte)'{'] : signed.Body.ToArray();
        if (signed.Body.Length > 0)
        {
            body[^1] ^= 0x01;
        }

        var result = _authenticator.Authenticate(signed.Build(), body, signed.Now);

        Assert.Same(AuthErrors.SignatureDoesNotMatch, result);
    }

    [Theory]
    [MemberData(nameof(SignedHeaders))]
    public void Authenticate_OneSignedHeaderByteChanged_InvalidSignature(string name, string header)
    {
        var signed = Fixture.Case(name);
        var request = signed.Build();
        request.Headers[header] = ChangeOneCharacter(request.Headers[header].ToString());

        var result = _authenticator.Authenticate(request, signed.Body, signed.Now);

        Assert.Same(AuthErrors.SignatureDoesNotMatch, result);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Authenticate_OnePathByteChanged_InvalidSignature(string name)
    {
        var signed = Fixture.Case(name);
        // The first character of the function name: hello -> iello, team-a -> uearn, arn%3A -> brn%3A.
        var at = signed.Target.IndexOf("/functions/", StringComparison.Ordinal) + "/functions/".Length;
        var target = signed.Target[..at] + (char)(signed.Target[at] + 1) + signed.Target[(at + 1)..];
        var request = (signed with { Target = target }).Build();

        var result = _authenticator.Authenticate(request, signed.Body, signed.Now);

        Assert.Same(AuthErrors.SignatureDoesNotMatch, result);
    }

    [Theory]
    [MemberData(nameof(CasesWithQuery))]
    public void Authenticate_QueryValueChanged_InvalidSignature(string name)
    {
        var signed = Fixture.Case(name);
        var request = (signed with { Target = signed.Target.Replace("%24LATEST", "%24LATESU", StringComparison.Ordinal) }).Build();

        var result = _authenticator.Authenticate(request, signed.Body, signed.Now);

        Assert.Same(AuthErrors.SignatureDoesNotMatch, result);
    }

    [Theory]
    [MemberData(nameof(CasesWithQuery))]
    public void Authenticate_QueryDropped_InvalidSignature(string name)
    {
        var signed = Fixture.Case(name);
        var request = (signed with { Target = signed.Target[..signed.Target.IndexOf('?', StringComparison.Ordinal)] }).Build();

        var result = _authenticator.Authenticate(request, signed.Body, signed.Now);

        Assert.Same(AuthErrors.SignatureDoesNotMatch, result);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Authenticate_AnotherSecretUnderTheSameKeyId_InvalidSignature(string name)
    {
        var signed = Fixture.Case(name);
        var authenticator = new SigV4Authenticator(
            new FakeAccessKeyStore(new AccessKey(Fixture.AccessKeyId, Fixture.SecretAccessKey + "x", null, "default")), null, SigV4Authenticator.LambdaService, NullLogger.Instance);

        var result = authenticator.Authenticate(signed.Build(), signed.Body, signed.Now);

        Assert.Same(AuthErrors.SignatureDoesNotMatch, result);
    }

    [Fact]
    public void Authenticate_UnsignedHeaderChanged_StillAuthenticated()
    {
        var signed = Fixture.Case("bare-name");
        var request = signed.Build();
        request.Headers.UserAgent = "something else entirely";
        request.Headers["amz-sdk-request"] = "attempt=2";

        var result = _authenticator.Authenticate(request, signed.Body, signed.Now);

        Assert.IsType<AuthResult.Authenticated>(result);
    }

    [Fact]
    public void Authenticate_SessionTokenForAKeyItHolds_VerifiedBySignatureAlone()
    {
        var signed = Fixture.Case("session-token");
        Assert.Contains("x-amz-security-token", signed.SignedHeaders);

        var result = _authenticator.Authenticate(signed.Build(), signed.Body, signed.Now);

        Assert.IsType<AuthResult.Authenticated>(result);
    }

    /// <summary>The last digit one up (a date stays a date), else the last letter one along.</summary>
    private static string ChangeOneCharacter(string value)
    {
        var chars = value.ToCharArray();
        var digit = Array.FindLastIndex(chars, char.IsAsciiDigit);
        if (digit >= 0)
        {
            chars[digit] = (char)('0' + ((chars[digit] - '0' + 1) % 10));
        }
        else
        {
            var letter = Array.FindLastIndex(chars, char.IsAsciiLetter);
            chars[letter] = chars[letter] is 'z' or 'Z' ? (char)(chars[letter] - 25) : (char)(chars[letter] + 1);
        }

        return new string(chars);
    }
}
