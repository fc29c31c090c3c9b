using Lamina.RuntimeShim.Code;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Code;

/// <summary>Unpacking the function's zip (from a code file) into --task: what is written, what is refused, and that nothing escapes.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class CodeFetcherUnpackTests : IDisposable
{
    private static readonly string[] TargetsOnly = ["opt", "task", "termination-log"];

    private readonly FetchFolders _folders = new();

    public static TheoryData<string, string> MaliciousNames { get; } = new()
    {
        { "../evil.txt", "a '..' path segment (zip-slip" },
        { "lib/../../evil.txt", "a '..' path segment (zip-slip" },
        { "/tmp/evil.txt", "an absolute path" },
        { "C:/evil.txt", "a drive letter" },
        { "..\\evil.txt", "a backslash" },
        { "lib//evil.txt", "an empty path segment" },
        { "./evil.txt", "a '.' path segment" },
        { "evil\n.txt", "a control character" },
    };

    public void Dispose() => _folders.Dispose();

    [Fact]
    public async Task Fetch_CodeFile_UnpackedWithModesAndOneLine()
    {
        var zip = new TestZip()
            .File("bootstrap", "#!/bin/sh\necho hi\n", "755")
            .File("secret.txt", "mine", "600")
            .File("setuid", "x", "4755")
            .Folder("private", "700")
            .File("private/data.json", "{}")
            .File("lib/libx.so.1", "elf")
            .Symlink("lib/libx.so", "libx.so.1")
            .Symlink("current", "lib")
            .PlainEntry("windows.txt", "crlf")
            .Build();

        var run = await FetchRun.CodeFileAsync(_folders, zip);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Error);
        Assert.Matches(@"^runtime-shim fetch: unpacked code sha256:[0-9a-f]{64} \(8 files, \d+ bytes\) into .*/task; fetch \d+ ms, verify \d+ ms, unpack \d+ ms\n$", run.Output);
        Assert.Equal(["bootstrap", "current", "lib", "lib/libx.so", "lib/libx.so.1", "private", "private/data.json", "secret.txt", "setuid", "windows.txt"], FetchFolders.Listing(_folders.Task));
        Assert.Equal(Mode("755"), File.GetUnixFileMode(Task("bootstrap")));
        Assert.Equal(Mode("644"), File.GetUnixFileMode(Task("secret.txt")));
        Assert.Equal(Mode("755"), File.GetUnixFileMode(Task("setuid")));
        Assert.Equal(Mode("755"), File.GetUnixFileMode(Task("private")));
        Assert.Equal(Mode("644"), File.GetUnixFileMode(Task("windows.txt")));
        Assert.Equal("libx.so.1", new FileInfo(Task("lib/libx.so")).LinkTarget);
        Assert.Equal("elf", await File.ReadAllTextAsync(Task("current/libx.so")));
        Assert.Equal(TargetsOnly, _folders.ParentListing());
    }

    [Fact]
    public async Task Fetch_ReadOnlyFolderInZip_KeptReadOnlyAndFilled()
    {
        var zip = new TestZip().Folder("ro", "555").File("ro/inside.txt", "x", "444").Build();

        var run = await FetchRun.CodeFileAsync(_folders, zip);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(Mode("555"), File.GetUnixFileMode(Task("ro")));
        Assert.Equal(Mode("444"), File.GetUnixFileMode(Task("ro/inside.txt")));
    }

    [Theory]
    [MemberData(nameof(MaliciousNames))]
    public async Task Fetch_MaliciousName_RefusedAndNothingWritten(string name, string reason)
    {
        var zip = new TestZip().File("index.mjs", "export const handler = 1;").File(name, "evil").Build();

        var run = await FetchRun.CodeFileAsync(_folders, zip);

        AssertRefused(run, reason, name);
    }

    [Fact]
    public async Task Fetch_SymlinkOut_Refused()
    {
        var zip = new TestZip().File("index.mjs", "x").Symlink("lib/etc", "../../etc").Build();

        var run = await FetchRun.CodeFileAsync(_folders, zip);

        AssertRefused(run, "which points outside the target", "lib/etc");
    }

    [Fact]
    public async Task Fetch_SymlinkToAbsolutePath_Refused()
    {
        var zip = new TestZip().Symlink("passwd", "/etc/passwd").Build();

        var run = await FetchRun.CodeFileAsync(_folders, zip);

        AssertRefused(run, "a symlink to the absolute path '/etc/passwd'", "passwd");
    }

    [Fact]
    public async Task Fetch_FileWrittenThroughSymlink_Refused()
    {
        // The link itself stays inside; the file after it would be written wherever it points.
        var zip = new TestZip().Folder("sub").Symlink("link", "sub").File("link/evil.txt", "evil").Build();

        var run = await FetchRun.CodeFileAsync(_folders, zip);

        AssertRefused(run, "it would be written through the symlink 'link'", "link/evil.txt");
    }

    [Fact]
    public async Task Fetch_FileThroughSymlinkOut_Refused()
    {
        var zip = new TestZip().Symlink("out", "../../..").File("out/evil.txt", "evil").Build();

        var run = await FetchRun.CodeFileAsync(_folders, zip);

        AssertRefused(run, "written through the symlink 'out'", "out/evil.txt");
    }

    [Fact]
    public async Task Fetch_SymlinkClimbingThroughAnotherSymlink_Refused()
    {
        // Each looks inside on its own: up/b points at the top; a goes to b, then ".." from wherever b points.
        var zip = new TestZip().Symlink("d1/d2/b", "../..").Symlink("d1/d2/a", "b/../x").Build();

        var run = await FetchRun.CodeFileAsync(_folders, zip);

        AssertRefused(run, "which passes through the symlink 'd1/d2/b'", "d1/d2/a");
    }

    [Fact]
    public async Task Fetch_DuplicateEntry_Refused()
    {
        var zip = new TestZip().File("index.js", "one").File("index.js", "two").Build();

        var run = await FetchRun.CodeFileAsync(_folders, zip);

        AssertRefused(run, "its path appears twice", "index.js");
    }

    [Fact]
    public async Task Fetch_FileAndFolderOfOneName_Refused()
    {
        var zip = new TestZip().File("lib", "file").Folder("lib").Build();

        var run = await FetchRun.CodeFileAsync(_folders, zip);

        AssertRefused(run, "its path appears twice", "lib/");
    }

    [Fact]
    public async Task Fetch_FileUnderAFile_Refused()
    {
        var zip = new TestZip().File("lib", "file").File("lib/x.js", "x").Build();

        var run = await FetchRun.CodeFileAsync(_folders, zip);

        AssertRefused(run, "it needs a folder 'lib' where an entry is a file", "lib/x.js");
    }

    [Theory]
    [InlineData(TestZip.CharacterDeviceType)]
    [InlineData(TestZip.FifoType)]
    public async Task Fetch_DeviceOrFifo_Refused(int type)
    {
        var zip = new TestZip().File("index.js", "x").Entry("dev/null", type | TestZip.Octal("666"), []).Build();

        var run = await FetchRun.CodeFileAsync(_folders, zip);

        AssertRefused(run, "a device file, FIFO or socket", "dev/null");
    }

    [Theory]
    [InlineData(100u)]
    [InlineData(3u * 1024 * 1024)]
    public async Task Fetch_ZipBombWithLyingHeaders_Refused(uint claimed)
    {
        // 64 MiB of zeros deflate to about 64 KB; the headers claim far less, under the limit. ZipArchive
        // stops reading at the claimed size, so it is the entry's CRC-32 that gives the lie away.
        var bomb = TestZip.ClaimUncompressedSize(new TestZip().File("bomb.bin", new byte[64 * 1024 * 1024]).Build(), claimed);
        Assert.True(bomb.Length < 1024 * 1024);

        var run = await FetchRun.CodeFileAsync(_folders, bomb, new UnpackLimits { MaximumBytes = 4 * 1024 * 1024 });

        AssertRefused(run, "refused: its content does not match its header's CRC-32 and size (a damaged zip, or a header that lies about the size, as a zip bomb's does)", "bomb.bin");
    }

    [Fact]
    public async Task Fetch_HonestZipOverTheLimit_RefusedFromItsHeaders()
    {
        var zip = new TestZip().File("big.bin", new byte[2 * 1024 * 1024]).Build();

        var run = await FetchRun.CodeFileAsync(_folders, zip, new UnpackLimits { MaximumBytes = 1024 * 1024 });

        AssertRefused(run, "unzipped size exceeds 1 MB (1048576 bytes", "declares 2097152 bytes unzipped");
    }

    [Fact]
    public async Task Fetch_ExactlyAtTheLimit_Unpacked()
    {
        var zip = new TestZip().File("a.bin", new byte[600]).File("b.bin", new byte[424]).Build();

        var run = await FetchRun.CodeFileAsync(_folders, zip, new UnpackLimits { MaximumBytes = 1024 });

        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task Fetch_TooManyEntries_Refused()
    {
        var zip = new TestZip();
        for (var i = 0; i < 11; i++)
        {
            zip.File($"f{i}.txt", "x");
        }

        var run = await FetchRun.CodeFileAsync(_folders, zip.Build(), new UnpackLimits { MaximumEntries = 10 });

        AssertRefused(run, "more than 10 entries", "code sha256:");
    }

    [Fact]
    public async Task Fetch_NotAZip_Refused()
    {
        var run = await FetchRun.CodeFileAsync(_folders, "this is not a zip archive, only some text"u8.ToArray());

        AssertRefused(run, "is not a valid zip archive: it has no end-of-central-directory record", "code sha256:");
    }

    [Fact]
    public async Task Fetch_CodeFileWithOtherDigest_RefusedNamingBoth()
    {
        var zip = new TestZip().File("index.js", "x").Build();
        var file = Path.Combine(_folders.Parent, "code.zip");
        await File.WriteAllBytesAsync(file, zip);
        var expected = new BlobDigest(new string('a', 64), zip.Length);

        var run = await FetchRun.RunAsync(new FetchOptions { Code = expected, CodeFile = file, Task = _folders.Task, TerminationLog = _folders.TerminationLog });

        var line = run.SingleErrorLine();
        Assert.Contains($"digest mismatch: the bytes have {TestZip.DigestOf(zip)}, expected {expected}", line, StringComparison.Ordinal);
        Assert.Empty(FetchFolders.Listing(_folders.Task));
    }

    [Theory]
    [InlineData(-1, "size mismatch: ")]
    [InlineData(1, "size mismatch: ")]
    public async Task Fetch_CodeFileOfOtherSize_Refused(int difference, string reason)
    {
        var zip = new TestZip().File("index.js", "x").Build();
        var file = Path.Combine(_folders.Parent, "code.zip");
        await File.WriteAllBytesAsync(file, zip);
        var digest = TestZip.DigestOf(zip);

        var run = await FetchRun.RunAsync(new FetchOptions { Code = digest with { Size = zip.Length + difference }, CodeFile = file, Task = _folders.Task, TerminationLog = _folders.TerminationLog });

        Assert.Contains(reason, run.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_MissingCodeFile_Refused()
    {
        var run = await FetchRun.RunAsync(new FetchOptions { Code = new BlobDigest(new string('a', 64), 10), CodeFile = Path.Combine(_folders.Parent, "nope.zip"), Task = _folders.Task, TerminationLog = _folders.TerminationLog });

        Assert.Contains("cannot read the code file", run.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_TargetNotEmpty_RefusedAndLeftAlone()
    {
        await File.WriteAllTextAsync(Task("precious.txt"), "keep me");

        var run = await FetchRun.CodeFileAsync(_folders, new TestZip().File("index.js", "x").Build());

        Assert.Contains("is not empty and not a volume of its own", run.SingleErrorLine(), StringComparison.Ordinal);
        Assert.Equal(["precious.txt"], FetchFolders.Listing(_folders.Task));
    }

    [Fact]
    public async Task Fetch_StagingLeftByAKilledRun_Removed()
    {
        Directory.CreateDirectory(Task(".lamina-fetch-0123456789ab/tree/half"));

        var run = await FetchRun.CodeFileAsync(_folders, new TestZip().File("index.js", "x").Build());

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["index.js"], FetchFolders.Listing(_folders.Task));
    }

    [Fact]
    public async Task Fetch_TerminationLogMissing_StillFailsClearly()
    {
        File.Delete(_folders.TerminationLog);

        var run = await FetchRun.CodeFileAsync(_folders, new TestZip().File("../x", "x").Build());

        Assert.Contains("zip-slip", run.SingleErrorLine(), StringComparison.Ordinal);
        Assert.False(File.Exists(_folders.TerminationLog));
    }

    private static UnixFileMode Mode(string octal) => (UnixFileMode)TestZip.Octal(octal);

    private string Task(string relative) => Path.Combine(_folders.Task, relative);

    /// <summary>Failed with one line holding both texts, the same in the termination log, the target empty and nothing beside it.</summary>
    private void AssertRefused(FetchRun run, string reason, string entry)
    {
        var line = run.SingleErrorLine();
        Assert.StartsWith("runtime-shim fetch: ", line, StringComparison.Ordinal);
        Assert.Contains(reason, line, StringComparison.Ordinal);
        Assert.Contains(EntryName.Printable(entry), line, StringComparison.Ordinal);
        Assert.Equal(line, File.ReadAllText(_folders.TerminationLog));
        Assert.Empty(FetchFolders.Listing(_folders.Task));
        Assert.Equal(TargetsOnly, _folders.ParentListing());
    }
}
