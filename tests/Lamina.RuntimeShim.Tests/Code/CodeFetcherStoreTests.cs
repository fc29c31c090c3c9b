using System.Diagnostics;
using System.Net;
using Lamina.RuntimeShim.Code;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Code;

/// <summary>Fetching the zip and layers from the code endpoint (a loopback stand-in): statuses, retries, the token, layers in order, the shared limit.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class CodeFetcherStoreTests : IDisposable
{
    private const string Namespace = "team-a";
    private static readonly string[] TargetsOnly = ["opt", "task", "termination-log", "token"];

    private readonly FetchFolders _folders = new();
    private readonly LoopbackCodeStore _store = LoopbackCodeStore.Start();

    public CodeFetcherStoreTests()
    {
        File.WriteAllText(TokenFile, "token-1\n");
        _store.Token = "token-1";
    }

    private string TokenFile => Path.Combine(_folders.Parent, "token");

    public void Dispose()
    {
        _store.Dispose();
        _folders.Dispose();
    }

    [Fact]
    public async Task Fetch_CodeAndLayers_UnpackedInOrderWithOverwrite()
    {
        var code = Serve(new TestZip().File("index.mjs", "export const handler = async () => 1;").Build());
        var first = Serve(new TestZip().File("python/a.txt", "layer 1").File("python/b.txt", "layer 1").Symlink("python/c.txt", "b.txt").Build());
        var second = Serve(new TestZip().File("python/a.txt", "layer 2").File("python/c.txt", "layer 2, not a link").Build());

        var run = await FetchRun.RunAsync(Options(code, first, second));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("and 2 layer(s) (3 files,", run.Output, StringComparison.Ordinal);
        Assert.Equal(["index.mjs"], FetchFolders.Listing(_folders.Task));
        Assert.Equal(["python", "python/a.txt", "python/b.txt", "python/c.txt"], FetchFolders.Listing(_folders.Opt));
        Assert.Equal("layer 2", await File.ReadAllTextAsync(Path.Combine(_folders.Opt, "python/a.txt")));
        Assert.Equal("layer 1", await File.ReadAllTextAsync(Path.Combine(_folders.Opt, "python/b.txt")));
        Assert.Null(new FileInfo(Path.Combine(_folders.Opt, "python/c.txt")).LinkTarget);
        Assert.Equal(["Bearer token-1", "Bearer token-1", "Bearer token-1"], _store.Authorizations);
        Assert.Equal(TargetsOnly, _folders.ParentListing());
    }

    [Fact]
    public async Task Fetch_LaterLayerWritesThroughEarlierLayersSymlink_Refused()
    {
        var code = Serve(new TestZip().File("index.mjs", "x").Build());
        var first = Serve(new TestZip().Folder("real").Symlink("lib", "real").Build());
        var second = Serve(new TestZip().File("lib/evil.so", "evil").Build());

        var run = await FetchRun.RunAsync(Options(code, first, second));

        AssertRefused(run, $"layer 2 {second}: entry 'lib/evil.so' refused: it would be written through the symlink 'lib'");
    }

    [Fact]
    public async Task Fetch_LaterLayerFileWhereEarlierHasFolder_Refused()
    {
        var code = Serve(new TestZip().File("index.mjs", "x").Build());
        var first = Serve(new TestZip().File("nodejs/node_modules/x/index.js", "x").Build());
        var second = Serve(new TestZip().File("nodejs/node_modules", "a file").Build());

        var run = await FetchRun.RunAsync(Options(code, first, second));

        AssertRefused(run, "it is a file where an earlier entry is a folder");
    }

    [Fact]
    public async Task Fetch_CodeAndLayersTogetherOverTheLimit_Refused()
    {
        // Each fits on its own; together they do not: the limit is for the function and its layers.
        var code = Serve(new TestZip().File("code.bin", new byte[600 * 1024]).Build());
        var layer = Serve(new TestZip().File("layer.bin", new byte[600 * 1024]).Build());

        var run = await FetchRun.RunAsync(Options(code, layer), new UnpackLimits { MaximumBytes = 1024 * 1024 });

        AssertRefused(run, $"unzipped size exceeds 1 MB (1048576 bytes, Lambda's limit for the function and its layers together): layer 1 {layer} declares 614400 bytes unzipped");
    }

    [Fact]
    public async Task Fetch_MissingBlob_404NamesBlobAndNamespace()
    {
        var missing = TestZip.DigestOf(new TestZip().File("index.mjs", "x").Build());

        var run = await FetchRun.RunAsync(Options(missing));

        AssertRefused(run, $"code {missing}: the code store has no blob {missing} for namespace team-a (404)");
        Assert.Equal(1, _store.Requests);
    }

    [Fact]
    public async Task Fetch_MissingLayer_NothingUnpacked()
    {
        var code = Serve(new TestZip().File("index.mjs", "x").Build());
        var missing = TestZip.DigestOf(new TestZip().File("python/x.py", "x").Build());

        var run = await FetchRun.RunAsync(Options(code, missing));

        AssertRefused(run, $"layer 1 {missing}: the code store has no blob {missing} for namespace team-a (404)");
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, "(401 Unauthorized)")]
    [InlineData(HttpStatusCode.Forbidden, "(403 Forbidden)")]
    public async Task Fetch_Refused_NotTriedAgain(HttpStatusCode status, string shown)
    {
        var code = Serve(new TestZip().File("index.mjs", "x").Build());
        _store.AnswerNext(status);

        var run = await FetchRun.RunAsync(Options(code));

        AssertRefused(run, $"the code endpoint refused this pod's token {shown}");
        Assert.Equal(1, _store.Requests);
    }

    [Fact]
    public async Task Fetch_WrongToken_403()
    {
        var code = Serve(new TestZip().File("index.mjs", "x").Build());
        await File.WriteAllTextAsync(TokenFile, "someone-elses-token");

        var run = await FetchRun.RunAsync(Options(code));

        AssertRefused(run, "(403 Forbidden)");
    }

    [Fact]
    public async Task Fetch_UnavailableThenServed_TriedAgainAndUnpacked()
    {
        var code = Serve(new TestZip().File("index.mjs", "x").Build());
        _store.AnswerNext(HttpStatusCode.ServiceUnavailable, 2);

        var run = await FetchRun.RunAsync(Options(code));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(3, _store.Requests);
        Assert.Equal(["index.mjs"], FetchFolders.Listing(_folders.Task));
    }

    [Fact]
    public async Task Fetch_UnavailableThroughout_GivesUpWithinTheBound()
    {
        var code = Serve(new TestZip().File("index.mjs", "x").Build());
        _store.AnswerNext(HttpStatusCode.ServiceUnavailable, 1000);
        var clock = Stopwatch.StartNew();

        var run = await FetchRun.RunAsync(Options(code));

        AssertRefused(run, "the code store is unavailable (503); gave up after");
        Assert.True(_store.Requests > 2, $"only {_store.Requests} attempts");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Fetch_StoreNotListening_CannotReach()
    {
        var code = TestZip.DigestOf(new TestZip().File("index.mjs", "x").Build());
        var options = Options(code);
        _store.Dispose();

        var run = await FetchRun.RunAsync(options);

        AssertRefused(run, "cannot reach the code endpoint");
    }

    [Fact]
    public async Task Fetch_TokenRotatedBetweenRequests_EachRequestReadsIt()
    {
        var code = Serve(new TestZip().File("index.mjs", "x").Build());
        var layer = Serve(new TestZip().File("bin/tool", "x", "755").Build());
        _store.Requested += count =>
        {
            if (count == 1)
            {
                // The kubelet rotates the projected token between the two requests.
                File.WriteAllText(TokenFile, "token-2");
                _store.Token = "token-2";
            }
        };

        var run = await FetchRun.RunAsync(Options(code, layer));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["Bearer token-1", "Bearer token-2"], _store.Authorizations);
    }

    [Fact]
    public async Task Fetch_MissingTokenFile_Refused()
    {
        var code = Serve(new TestZip().File("index.mjs", "x").Build());
        File.Delete(TokenFile);

        var run = await FetchRun.RunAsync(Options(code));

        var line = run.SingleErrorLine();
        Assert.Contains($"cannot read the token file {TokenFile}", line, StringComparison.Ordinal);
        Assert.Equal(0, _store.Requests);
    }

    [Fact]
    public async Task Fetch_StoreSendsOtherBytes_DigestMismatchNamingBoth()
    {
        var zip = new TestZip().File("index.mjs", "code A").Build();
        var forged = new TestZip().File("index.mjs", "code B").Build();
        Assert.Equal(zip.Length, forged.Length);
        var expected = TestZip.DigestOf(zip);
        _store.Add(Namespace, expected.Hex, forged);

        var run = await FetchRun.RunAsync(Options(expected));

        AssertRefused(run, $"code {expected}: digest mismatch: the bytes have {TestZip.DigestOf(forged)}, expected {expected}");
        Assert.Equal(1, _store.Requests);
    }

    [Fact]
    public async Task Fetch_StoreSendsMoreBytes_SizeMismatch()
    {
        var zip = new TestZip().File("index.mjs", "the code").Build();
        var expected = TestZip.DigestOf(zip);
        _store.Add(Namespace, expected.Hex, [.. zip, 0]);

        var run = await FetchRun.RunAsync(Options(expected));

        AssertRefused(run, $"code {expected}: size mismatch: the code endpoint announces {zip.Length + 1} bytes, {zip.Length} expected");
    }

    [Fact]
    public async Task Fetch_Redirect_NotFollowed()
    {
        var code = Serve(new TestZip().File("index.mjs", "x").Build());
        _store.AnswerNext(HttpStatusCode.Found);

        var run = await FetchRun.RunAsync(Options(code));

        AssertRefused(run, "the code endpoint answered 302");
    }

    private BlobDigest Serve(byte[] zip)
    {
        var digest = TestZip.DigestOf(zip);
        _store.Add(Namespace, digest.Hex, zip);
        return digest;
    }

    private FetchOptions Options(BlobDigest code, params BlobDigest[] layers) => new()
    {
        Code = code,
        Layers = layers,
        Store = _store.Url,
        Namespace = Namespace,
        TokenFile = TokenFile,
        Task = _folders.Task,
        Opt = _folders.Opt,
        TerminationLog = _folders.TerminationLog,
    };

    private void AssertRefused(FetchRun run, string reason)
    {
        var line = run.SingleErrorLine();
        Assert.Contains(reason, line, StringComparison.Ordinal);
        Assert.Equal(line, File.ReadAllText(_folders.TerminationLog));
        Assert.Empty(FetchFolders.Listing(_folders.Task));
        Assert.Empty(FetchFolders.Listing(_folders.Opt));
        Assert.Equal(TargetsOnly, _folders.ParentListing());
    }
}
