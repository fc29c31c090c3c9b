using Lamina.Gateway.Auth;
using Lamina.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lamina.Gateway.Tests.Auth;

/// <summary>
/// AWS's published SigV4 test suite (service "service"): the test signer reproduces AWS's
/// signatures from AWS's canonical requests, the gateway computes the same canonical requests, and
/// accepts exactly the published signatures.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class SigV4TestSuiteTests
{
    private readonly SigV4Authenticator _authenticator = new(
        new FakeAccessKeyStore(new AccessKey(TestSigner.KeyId, TestSigner.Secret, null, "default")), region: null, service: "service", NullLogger.Instance);

    public static TheoryData<string> Vectors => [.. SigV4TestSuiteVector.All.Select(v => v.Name)];

    [Theory]
    [MemberData(nameof(Vectors))]
    public void TestSigner_PublishedCanonicalRequest_GivesPublishedSignature(string name)
    {
        var vector = SigV4TestSuiteVector.Named(name);

        var signature = TestSigner.Signature(TestSigner.Secret, SigV4TestSuiteVector.AmzDate, "us-east-1", "service", vector.CanonicalRequest);

        Assert.Equal(vector.Signature, signature);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void WriteCanonicalRequest_PublishedRequest_IsPublishedCanonicalRequest(string name)
    {
        var vector = SigV4TestSuiteVector.Named(name);
        var buffer = SigV4Buffer.Rent();

        SigV4Canonicalizer.WriteCanonicalRequest(buffer, vector.Build(), vector.SignedHeaders, vector.BodyBytes);

        Assert.Equal(vector.CanonicalRequest, buffer.ToString());
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Authenticate_PublishedSignature_Authenticated(string name)
    {
        var vector = SigV4TestSuiteVector.Named(name);

        var result = _authenticator.Authenticate(vector.Build(), vector.BodyBytes, SigV4TestSuiteVector.SignedAt);

        var caller = Assert.IsType<AuthResult.Authenticated>(result).Caller;
        Assert.Equal(TestSigner.KeyId, caller.Identity);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Authenticate_SignatureOneHexDigitOff_InvalidSignature(string name)
    {
        var vector = SigV4TestSuiteVector.Named(name);
        var wrong = vector.Signature[..^1] + (vector.Signature[^1] == '0' ? '1' : '0');

        var result = _authenticator.Authenticate(vector.Build(wrong), vector.BodyBytes, SigV4TestSuiteVector.SignedAt);

        Assert.Equal(AuthErrors.InvalidSignatureException, Assert.IsType<AuthResult.Denied>(result).Exception);
    }

    [Fact]
    public void Authenticate_FormBodyChanged_InvalidSignature()
    {
        var vector = SigV4TestSuiteVector.Named("post-x-www-form-urlencoded");

        var result = _authenticator.Authenticate(vector.Build(), "Param1=value2"u8, SigV4TestSuiteVector.SignedAt);

        Assert.Same(AuthErrors.SignatureDoesNotMatch, result);
    }
}
