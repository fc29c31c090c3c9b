using System.Security.Cryptography;
using Lamina.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Lamina.CodeStore.Tests;

/// <summary>The Docker/OCI token challenge and a redirected blob read, against <see cref="FakeTokenRegistry"/>.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class BearerAuthenticationTests : IDisposable
{
    private readonly byte[] _blob = RandomNumberGenerator.GetBytes(1000);
    private readonly FakeTokenRegistry _registry;
    private readonly string _passwordFile = Path.GetTempFileName();
    private readonly ServiceProvider _services;

    public BearerAuthenticationTests()
    {
        _registry = new FakeTokenRegistry(_blob, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(_blob)));
        File.WriteAllText(_passwordFile, FakeTokenRegistry.Password + "\n");
        _services = new ServiceCollection().AddLogging().AddCodeStore(configure: o =>
        {
            o.Url = _registry.Url.ToString();
            o.Username = FakeTokenRegistry.Username;
            o.PasswordFile = _passwordFile;
        }).BuildServiceProvider();
    }

    public void Dispose()
    {
        _services.Dispose();
        _registry.Dispose();
        File.Delete(_passwordFile);
    }

    [Fact]
    public async Task OpenBlobAsync_BearerChallenge_TokenFetchedOnceWithBasicThenReusedAndRedirectFollowedWithoutIt()
    {
        var store = _services.GetRequiredService<ICodeStore>();
        var hex = Convert.ToHexStringLower(SHA256.HashData(_blob));

        for (var i = 0; i < 2; i++)
        {
            await using var blob = await store.OpenBlobAsync("team-a", hex, CancellationToken.None);
            Assert.NotNull(blob);
            Assert.Equal(_blob.Length, blob.Length);
            using var read = new MemoryStream();
            await blob.Content.CopyToAsync(read);
            Assert.Equal(_blob, read.ToArray());
        }

        var query = Assert.Single(_registry.TokenQueries);
        Assert.Contains("service=fake-registry", query, StringComparison.Ordinal);
        Assert.Contains("scope=repository%3Alamina%2Fteam-a%3Apull", query, StringComparison.Ordinal);
        Assert.Equal(
            [
                $"GET /v2/lamina/team-a/blobs/sha256:{hex} ",
                "GET /token Basic",
                $"GET /v2/lamina/team-a/blobs/sha256:{hex} Bearer",
                "GET /storage/blob ",
                $"GET /v2/lamina/team-a/blobs/sha256:{hex} Bearer",
                "GET /storage/blob ",
            ],
            _registry.Requests.ToArray());
    }

    [Fact]
    public async Task OpenBlobAsync_TokenServiceRefusesTheCredentials_Unauthorized()
    {
        await File.WriteAllTextAsync(_passwordFile, "wrong\n");
        var store = _services.GetRequiredService<ICodeStore>();

        var refused = await Assert.ThrowsAsync<CodeStoreException>(() => store.OpenBlobAsync("team-a", new string('a', 64), CancellationToken.None));

        Assert.Equal(CodeStoreFailure.Unauthorized, refused.Failure);
        Assert.Contains("token service", refused.Message, StringComparison.Ordinal);
        Assert.Contains("user 'lamina'", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../team-b", "0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("Team-A", "0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("team-a", "sha256:0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("team-a", "../../other/blobs/x")]
    public async Task OpenBlobAsync_NameThatCouldLeaveTheRepository_RefusedBeforeAnyRequest(string @namespace, string hex)
    {
        var store = _services.GetRequiredService<ICodeStore>();

        await Assert.ThrowsAsync<ArgumentException>(() => store.OpenBlobAsync(@namespace, hex, CancellationToken.None));
        Assert.Empty(_registry.Requests);
    }
}
