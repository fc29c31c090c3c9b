using Lamina.Contracts.Code;
using Lamina.RuntimeShim.Code;
using Lamina.RuntimeShim.Hosting;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Code;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class FetchCommandLineTests
{
    private const string Hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string OtherHex = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
    private static readonly string Code = $"sha256:{Hex}:1234";
    private static readonly string[] Store = ["--store", "http://lamina-gateway.lamina-system.svc:8085", "--namespace", "team-a", "--token-file", "/var/run/token"];

    public static TheoryData<string[], string> BadLines { get; } = new()
    {
        { ["fetch"], "--code sha256:<hex>:<size> is required" },
        { ["fetch", "--code"], "--code needs a value" },
        { ["fetch", "--code", ""], "--code needs a value" },
        { ["fetch", "--bogus", "x"], "unknown option '--bogus'" },
        { ["fetch", "--code", $"sha256:{Hex.ToUpperInvariant()}:12", .. Store], "64 lowercase hex digits" },
        { ["fetch", "--code", $"sha256:{Hex[..63]}:12", .. Store], "64 lowercase hex digits" },
        { ["fetch", "--code", $"sha256:{Hex}0:12", .. Store], "64 lowercase hex digits" },
        { ["fetch", "--code", $"sha512:{Hex}:12", .. Store], "is not sha256:" },
        { ["fetch", "--code", $"sha256:{Hex}", .. Store], "the size in bytes" },
        { ["fetch", "--code", $"sha256:{Hex}:0", .. Store], "the size in bytes" },
        { ["fetch", "--code", $"sha256:{Hex}:-5", .. Store], "the size in bytes" },
        { ["fetch", "--code", $"sha256:{Hex}:12x", .. Store], "the size in bytes" },
        { ["fetch", "--code", $"sha256:{Hex}:262144001", .. Store], "above the 250 MB" },
        { ["fetch", "--code", $"sha256:{Hex}:12", "--code", $"sha256:{Hex}:12", .. Store], "--code given twice" },
        { ["fetch", "--code", $"sha256:{Hex}:12", "--layer", "sha256:xyz:1", .. Store], "--layer 'sha256:xyz:1'" },
        { ["fetch", "--code", $"sha256:{Hex}:12"], "--store is required to fetch from the code store" },
        { ["fetch", "--code", $"sha256:{Hex}:12", "--store", "http://s", "--namespace", "a"], "--token-file is required" },
        { ["fetch", "--code", $"sha256:{Hex}:12", "--code-file", "/c/zip", "--layer", $"sha256:{Hex}:1"], "--store is required" },
        { ["fetch", "--code", $"sha256:{Hex}:12", "--store", "ftp://s", "--namespace", "a", "--token-file", "/t"], "is not an http:// or https:// URL" },
        { ["fetch", "--code", $"sha256:{Hex}:12", "--store", "http://user:pw@s", "--namespace", "a", "--token-file", "/t"], "without credentials" },
        { ["fetch", "--code", $"sha256:{Hex}:12", "--store", "s:8085", "--namespace", "a", "--token-file", "/t"], "is not an http:// or https:// URL" },
        { ["fetch", "--code", $"sha256:{Hex}:12", "--store", "http://s", "--namespace", "Team_A", "--token-file", "/t"], "is not a Kubernetes namespace name" },
        { ["fetch", "--code", $"sha256:{Hex}:12", "--store", "http://s", "--namespace", "../b", "--token-file", "/t"], "is not a Kubernetes namespace name" },
        { ["fetch", "--code", $"sha256:{Hex}:12", "--task", "var/task", .. Store], "--task 'var/task' must be an absolute path" },
        { ["fetch", "--code", $"sha256:{Hex}:12", "--opt", "/", .. Store], "--opt '/' must be an absolute path other than /" },
        { ["fetch", "--code", $"sha256:{Hex}:12", "--task", "/opt/task", .. Store], "must be apart" },
        { ["fetch", "--code", $"sha256:{Hex}:12", "--task", "/x", "--opt", "/x/", .. Store], "must be apart" },
    };

    [Fact]
    public void Parse_Fetch_EveryOptionKept()
    {
        var options = Fetch([
            "fetch", "--code", Code, "--layer", $"sha256:{OtherHex}:10", "--layer", $"sha256:{Hex}:20", .. Store,
            "--task", "/mnt/task/", "--opt", "/mnt/opt", "--termination-log", "/tmp/log",
        ]);

        Assert.Equal(new BlobDigest(Hex, 1234), options.Code);
        Assert.Null(options.CodeFile);
        Assert.Equal([new BlobDigest(OtherHex, 10), new BlobDigest(Hex, 20)], options.Layers);
        Assert.Equal(new Uri("http://lamina-gateway.lamina-system.svc:8085"), options.Store);
        Assert.Equal("team-a", options.Namespace);
        Assert.Equal("/var/run/token", options.TokenFile);
        Assert.Equal("/mnt/task", options.Task);
        Assert.Equal("/mnt/opt", options.Opt);
        Assert.Equal("/tmp/log", options.TerminationLog);
    }

    [Fact]
    public void Parse_FetchWithoutFolders_LambdaDefaults()
    {
        var options = Fetch(["fetch", "--code", Code, .. Store]);

        Assert.Equal(CodeFetchContract.TaskPath, options.Task);
        Assert.Equal(CodeFetchContract.OptPath, options.Opt);
        Assert.Equal("/dev/termination-log", options.TerminationLog);
        Assert.Empty(options.Layers);
    }

    [Fact]
    public void Parse_CodeFileWithoutLayers_NeedsNoStore()
    {
        var options = Fetch(["fetch", "--code", Code, "--code-file", "/etc/lamina/code/function.zip"]);

        Assert.Equal("/etc/lamina/code/function.zip", options.CodeFile);
        Assert.Null(options.Store);
        Assert.False(options.NeedsStore);
    }

    [Fact]
    public void Parse_FiveLayers_Accepted()
    {
        var options = Fetch(["fetch", "--code", Code, .. Layers(CodeFetchContract.MaxLayers), .. Store]);

        Assert.Equal(CodeFetchContract.MaxLayers, options.Layers.Count);
    }

    [Fact]
    public void Parse_SixLayers_Refused()
    {
        var invalid = Assert.IsType<ShimCommand.Invalid>(Parse(["fetch", "--code", Code, .. Layers(CodeFetchContract.MaxLayers + 1), .. Store]));

        Assert.Contains("more than 5 layers", invalid.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadLines))]
    public void Parse_BadLine_RefusedWithReason(string[] args, string reason)
    {
        var invalid = Assert.IsType<ShimCommand.Invalid>(Parse(args));

        Assert.Contains(reason, invalid.Message, StringComparison.Ordinal);
        Assert.StartsWith("fetch: ", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadLine_TerminationLogGiven_ReasonGoesThere()
    {
        var invalid = Assert.IsType<ShimCommand.Invalid>(Parse(["fetch", "--termination-log", "/tmp/log", "--code", "bad"]));

        Assert.Equal("/tmp/log", invalid.TerminationLog);
    }

    [Fact]
    public void Parse_BadLine_DefaultTerminationLog()
    {
        var invalid = Assert.IsType<ShimCommand.Invalid>(Parse(["fetch"]));

        Assert.Equal("/dev/termination-log", invalid.TerminationLog);
    }

    [Fact]
    public void Parse_FetchHelp_Help() => Assert.IsType<ShimCommand.Help>(Parse(["fetch", "--help"]));

    [Fact]
    public void Usage_NamesTheFetchCommandAndEveryOption()
    {
        foreach (var option in (string[])[
            CodeFetchContract.CodeOption, CodeFetchContract.CodeFileOption, CodeFetchContract.LayerOption, CodeFetchContract.StoreOption,
            CodeFetchContract.NamespaceOption, CodeFetchContract.TokenFileOption, CodeFetchContract.TaskOption, CodeFetchContract.OptOption,
            FetchCommandLine.TerminationLogOption])
        {
            Assert.Contains(option + " ", ShimCommandLine.Usage, StringComparison.Ordinal);
        }

        Assert.Contains("runtime-shim fetch", ShimCommandLine.Usage, StringComparison.Ordinal);
    }

    private static string[] Layers(int count) => [.. Enumerable.Range(0, count).SelectMany(i => new[] { "--layer", $"sha256:{Hex}:{i + 1}" })];

    private static ShimCommand Parse(string[] args) => ShimCommandLine.Parse(args, static _ => null);

    private static FetchOptions Fetch(string[] args) => Assert.IsType<ShimCommand.Fetch>(Parse(args)).Options;
}
