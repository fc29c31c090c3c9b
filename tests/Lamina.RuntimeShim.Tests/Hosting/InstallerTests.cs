using Lamina.RuntimeShim.Hosting;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Hosting;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class InstallerTests : IDisposable
{
    private const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("lamina-installer-");

    private string Source => Path.Combine(_root.FullName, "source");

    private string Target => Path.Combine(_root.FullName, "target");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void CopyFolder_Tree_CopiedWithContentsAndModes()
    {
        Write("runtime-shim", "program", Executable);
        Write("lib/ld-linux-x86-64.so.2", "loader", Executable);
        Write("lib/deep/libc.so.6", "libc", ReadOnly);

        var copied = Installer.CopyFolder(Source, Target);

        Assert.Equal(3, copied);
        Assert.Equal("program", File.ReadAllText(Path.Combine(Target, "runtime-shim")));
        Assert.Equal("loader", File.ReadAllText(Path.Combine(Target, "lib/ld-linux-x86-64.so.2")));
        Assert.Equal("libc", File.ReadAllText(Path.Combine(Target, "lib/deep/libc.so.6")));
        Assert.Equal(Executable, File.GetUnixFileMode(Path.Combine(Target, "runtime-shim")));
        Assert.Equal(Executable, File.GetUnixFileMode(Path.Combine(Target, "lib/ld-linux-x86-64.so.2")));
        Assert.Equal(ReadOnly, File.GetUnixFileMode(Path.Combine(Target, "lib/deep/libc.so.6")));
    }

    [Fact]
    public void CopyFolder_TargetHasOlderFiles_Overwritten()
    {
        Write("runtime-shim", "new program", Executable);
        Directory.CreateDirectory(Target);
        File.WriteAllText(Path.Combine(Target, "runtime-shim"), "old program");
        File.SetUnixFileMode(Path.Combine(Target, "runtime-shim"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Installer.CopyFolder(Source, Target);

        Assert.Equal("new program", File.ReadAllText(Path.Combine(Target, "runtime-shim")));
        Assert.Equal(Executable, File.GetUnixFileMode(Path.Combine(Target, "runtime-shim")));
    }

    [Fact]
    public void CopyFolder_ReadOnlyFileCopiedTwice_Overwritten()
    {
        Write("lib/libc.so.6", "libc", ReadOnly);
        Installer.CopyFolder(Source, Target);

        Installer.CopyFolder(Source, Target);

        Assert.Equal("libc", File.ReadAllText(Path.Combine(Target, "lib/libc.so.6")));
    }

    [Fact]
    public void CopyFolder_Done_LeavesNoPartialFiles()
    {
        Write("runtime-shim", "program", Executable);
        Write("lib/libc.so.6", "libc", ReadOnly);

        Installer.CopyFolder(Source, Target);

        Assert.Equal(
            ["lib/libc.so.6", "runtime-shim"],
            Directory.EnumerateFiles(Target, "*", SearchOption.AllDirectories).Select(path => Path.GetRelativePath(Target, path)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void CopyFolder_EmptySource_CreatesTheTarget()
    {
        Directory.CreateDirectory(Source);

        var copied = Installer.CopyFolder(Source, Target);

        Assert.Equal(0, copied);
        Assert.True(Directory.Exists(Target));
    }

    private void Write(string relative, string contents, UnixFileMode mode)
    {
        var path = Path.Combine(Source, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, contents);
        File.SetUnixFileMode(path, mode);
    }
}
