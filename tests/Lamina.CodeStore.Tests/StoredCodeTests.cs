using Lamina.Testing;

namespace Lamina.CodeStore.Tests;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class StoredCodeTests
{
    [Fact]
    public void FromHash_EmptyZipsHash_HexDigestTagAndLambdasBase64()
    {
        var stored = StoredCode.FromHash(System.Security.Cryptography.SHA256.HashData(ReadOnlySpan<byte>.Empty), 0);

        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", stored.Sha256Hex);
        Assert.Equal("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", stored.Digest);
        Assert.Equal("sha256-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", stored.Tag);
        // What Lambda's GetFunction answers as CodeSha256 for the same bytes.
        Assert.Equal("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", stored.CodeSha256);
    }
}
