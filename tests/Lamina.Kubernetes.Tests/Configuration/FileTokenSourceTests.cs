using Lamina.Kubernetes.Configuration;
using Lamina.Testing;

namespace Lamina.Kubernetes.Tests.Configuration;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class FileTokenSourceTests : IDisposable
{
    private static readonly DateTime FixedMtime = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly TempDirectory _folder = new();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task GetTokenAsync_FileChangedWithSameMtime_OldTokenUntilRefreshInterval()
    {
        var path = WriteToken("first");
        var source = new FileTokenSource(path, _time);
        Assert.Equal("first", await source.GetTokenAsync(CancellationToken.None));

        WriteToken("second");
        _time.Advance(FileTokenSource.DefaultRefreshInterval - TimeSpan.FromSeconds(1));
        Assert.Equal("first", await source.GetTokenAsync(CancellationToken.None));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("second", await source.GetTokenAsync(CancellationToken.None));
    }

    [Fact]
    public async Task GetTokenAsync_MtimeChanged_NewTokenAtOnce()
    {
        var path = WriteToken("first");
        var source = new FileTokenSource(path, _time);
        Assert.Equal("first", await source.GetTokenAsync(CancellationToken.None));

        WriteToken("second", FixedMtime.AddMinutes(1));

        Assert.Equal("second", await source.GetTokenAsync(CancellationToken.None));
    }

    [Fact]
    public async Task GetTokenAsync_FileVanishedAfterARead_KeepsLastToken()
    {
        var path = WriteToken("first");
        var source = new FileTokenSource(path, _time);
        Assert.Equal("first", await source.GetTokenAsync(CancellationToken.None));

        File.Delete(path);
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal("first", await source.GetTokenAsync(CancellationToken.None));
    }

    [Fact]
    public async Task GetTokenAsync_FileNeverReadable_ErrorNamesPath()
    {
        var path = Path.Combine(_folder.Path, "missing");
        var source = new FileTokenSource(path, _time);

        var error = await Assert.ThrowsAsync<KubernetesConfigurationException>(() => source.GetTokenAsync(CancellationToken.None).AsTask());

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTokenAsync_EmptyFile_ErrorSaysEmpty()
    {
        var source = new FileTokenSource(WriteToken("  \n"), _time);

        var error = await Assert.ThrowsAsync<KubernetesConfigurationException>(() => source.GetTokenAsync(CancellationToken.None).AsTask());

        Assert.Contains("is empty", error.Message, StringComparison.Ordinal);
    }

    private string WriteToken(string token, DateTime? mtime = null)
    {
        var path = _folder.Write("token", token);
        File.SetLastWriteTimeUtc(path, mtime ?? FixedMtime);
        return path;
    }
}
