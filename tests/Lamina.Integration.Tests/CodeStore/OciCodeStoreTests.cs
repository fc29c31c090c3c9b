using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lamina.CodeStore;
using Lamina.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Lamina.Integration.Tests.CodeStore;

/// <summary>The code store against a real docker-registry 2.8 (Debian's, as the chart's image runs it) with htpasswd auth.</summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class OciCodeStoreTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    [Fact]
    public async Task PutAsync_ThenOpenBlob_ReadsTheSameBytes()
    {
        var store = fixture.Store();
        var zip = RandomBytes(300_000);

        var stored = await store.PutAsync("team-a", new MemoryStream(zip), CodeKind.Function, CancellationToken.None);

        var hash = SHA256.HashData(zip);
        Assert.Equal(Convert.ToHexStringLower(hash), stored.Sha256Hex);
        Assert.Equal(Convert.ToBase64String(hash), stored.CodeSha256);
        Assert.Equal(zip.Length, stored.Size);
        await using var blob = await store.OpenBlobAsync("team-a", stored.Sha256Hex, CancellationToken.None);
        Assert.NotNull(blob);
        Assert.Equal(zip.Length, blob.Length);
        Assert.Equal(zip, await ReadAllAsync(blob.Content));
    }

    [Fact]
    public async Task PutAsync_StreamThatCannotSeek_IsHashedAsItUploads()
    {
        var store = fixture.Store();
        var zip = RandomBytes(2_000_000);

        var stored = await store.PutAsync("team-a", new ForwardOnlyStream(zip), CodeKind.Layer, CancellationToken.None);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(zip)), stored.Sha256Hex);
        await using var blob = await store.OpenBlobAsync("team-a", stored.Sha256Hex, CancellationToken.None);
        Assert.Equal(zip, await ReadAllAsync(blob!.Content));
    }

    [Fact]
    public async Task PutAsync_SameZipTwice_SameDigestAndStillReadable()
    {
        var store = fixture.Store();
        var zip = RandomBytes(1000);

        var first = await store.PutAsync("team-a", new MemoryStream(zip), CodeKind.Function, CancellationToken.None);
        var second = await store.PutAsync("team-a", new MemoryStream(zip), CodeKind.Function, CancellationToken.None);

        Assert.Equal(first, second);
        await using var blob = await store.OpenBlobAsync("team-a", second.Sha256Hex, CancellationToken.None);
        Assert.Equal(zip, await ReadAllAsync(blob!.Content));
    }

    [Fact]
    public async Task PutAsync_WritesTheTaggedManifestThatNamesTheZip()
    {
        var stored = await fixture.Store().PutAsync("team-a", new MemoryStream(RandomBytes(5000)), CodeKind.Layer, CancellationToken.None);

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.Registry.Url, $"/v2/lamina/team-a/manifests/{stored.Tag}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{fixture.Registry.Username}:{fixture.Registry.Password}")));
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var manifest = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = manifest.RootElement;
        Assert.Equal("application/vnd.lamina.code.config.v1+json", root.GetProperty("config").GetProperty("mediaType").GetString());
        var layer = Assert.Single(root.GetProperty("layers").EnumerateArray());
        Assert.Equal("application/zip", layer.GetProperty("mediaType").GetString());
        Assert.Equal(stored.Digest, layer.GetProperty("digest").GetString());
        Assert.Equal(stored.Size, layer.GetProperty("size").GetInt64());
        Assert.Equal("layer", root.GetProperty("annotations").GetProperty("dev.lamina.code.kind").GetString());
    }

    [Fact]
    public async Task UploadBlob_DigestThatDoesNotMatch_RefusedByTheRegistry()
    {
        var zip = RandomBytes(4096);
        var wrong = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(RandomBytes(16)));

        var refused = await Assert.ThrowsAsync<CodeStoreException>(() => fixture.Client().UploadBlobAsync("lamina/team-a", new MemoryStream(zip), wrong, null, CancellationToken.None));

        Assert.Equal(CodeStoreFailure.Rejected, refused.Failure);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("DIGEST_INVALID", refused.RegistryCode);
        Assert.Null(await fixture.Store().OpenBlobAsync("team-a", wrong["sha256:".Length..], CancellationToken.None));
        Assert.Null(await fixture.Store().OpenBlobAsync("team-a", Convert.ToHexStringLower(SHA256.HashData(zip)), CancellationToken.None));
    }

    [Fact]
    public async Task OpenBlobAsync_BlobNotThere_Null()
    {
        var missing = Convert.ToHexStringLower(SHA256.HashData(RandomBytes(32)));

        Assert.Null(await fixture.Store().OpenBlobAsync("team-a", missing, CancellationToken.None));
        Assert.False(await fixture.Client().BlobExistsAsync("lamina/team-a", "sha256:" + missing, CancellationToken.None));
    }

    [Fact]
    public async Task OpenBlobAsync_AnotherNamespacesBlob_NotReadable()
    {
        var store = fixture.Store();
        var stored = await store.PutAsync("team-a", new MemoryStream(RandomBytes(2048)), CodeKind.Function, CancellationToken.None);

        // The registry links blobs per repository: team-b's repository does not know team-a's digest,
        // although the bytes are in the same storage (which a second push to team-b would reuse).
        Assert.Null(await store.OpenBlobAsync("team-b", stored.Sha256Hex, CancellationToken.None));
        Assert.False(await fixture.Client().BlobExistsAsync("lamina/team-b", stored.Digest, CancellationToken.None));
        await using var own = await store.OpenBlobAsync("team-a", stored.Sha256Hex, CancellationToken.None);
        Assert.NotNull(own);
    }

    [Fact]
    public async Task PutAsync_WrongPassword_UnauthorizedNamingTheUserNotThePassword()
    {
        var wrong = Path.Combine(fixture.Registry.Directory, "wrong-password");
        await File.WriteAllTextAsync(wrong, "not-the-password\n");
        var store = fixture.Store(o => o.PasswordFile = wrong);

        var refused = await Assert.ThrowsAsync<CodeStoreException>(() => store.PutAsync("team-a", new MemoryStream(RandomBytes(100)), CodeKind.Function, CancellationToken.None));

        Assert.Equal(CodeStoreFailure.Unauthorized, refused.Failure);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains($"user '{fixture.Registry.Username}'", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Registry.Password, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenBlobAsync_NoCredentials_UnauthorizedSayingNoneAreConfigured()
    {
        var store = fixture.Store(o => (o.Username, o.PasswordFile) = ("", ""));

        var refused = await Assert.ThrowsAsync<CodeStoreException>(() => store.OpenBlobAsync("team-a", new string('0', 64), CancellationToken.None));

        Assert.Equal(CodeStoreFailure.Unauthorized, refused.Failure);
        Assert.Contains("none are configured", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenBlobAsync_NothingListening_Unreachable()
    {
        var store = fixture.Store(o => o.Url = $"http://127.0.0.1:{FreePort.Next()}");

        var failed = await Assert.ThrowsAsync<CodeStoreException>(() => store.OpenBlobAsync("team-a", new string('0', 64), CancellationToken.None));

        Assert.Equal(CodeStoreFailure.Unreachable, failed.Failure);
        Assert.Null(failed.StatusCode);
    }

    [Fact]
    public async Task GarbageCollect_ZipWithItsManifestKept_BlobWithoutOneDeleted()
    {
        // A registry of its own: collecting stops and restarts it.
        await using var registry = await RegistryServer.StartAsync();
        List<ServiceProvider> providers = [];
        try
        {
            var store = RegistryFixture.Store(registry, null, providers);
            var kept = RandomBytes(10_000);
            var stored = await store.PutAsync("team-a", new MemoryStream(kept), CodeKind.Function, CancellationToken.None);
            // The same kind of blob without a manifest: what the collector deletes, so this test can fail.
            var loose = RandomBytes(10_000);
            var looseDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(loose));
            await RegistryFixture.Client(registry).UploadBlobAsync("lamina/team-a", new MemoryStream(loose), looseDigest, null, CancellationToken.None);

            var collected = await registry.GarbageCollectAsync();

            Assert.Contains($"blob eligible for deletion: {looseDigest}", collected, StringComparison.Ordinal);
            await using var blob = await store.OpenBlobAsync("team-a", stored.Sha256Hex, CancellationToken.None);
            Assert.NotNull(blob);
            Assert.Equal(kept, await ReadAllAsync(blob.Content));
            Assert.Null(await store.OpenBlobAsync("team-a", looseDigest["sha256:".Length..], CancellationToken.None));
        }
        finally
        {
            foreach (var provider in providers)
            {
                await provider.DisposeAsync();
            }
        }
    }

    private static byte[] RandomBytes(int count) => RandomNumberGenerator.GetBytes(count);

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>A stream that can only be read forward, as a request body is.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;
    }
}
