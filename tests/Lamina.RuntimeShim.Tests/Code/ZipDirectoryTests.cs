using System.Buffers.Binary;
using System.IO.Compression;
using Lamina.RuntimeShim.Code;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Code;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ZipDirectoryTests
{
    [Fact]
    public void CountEntries_SmallZip_CountsEach()
    {
        using var zip = new MemoryStream(Zip(5));

        Assert.Equal(5, ZipDirectory.CountEntries(zip, "code", 10, 1024 * 1024));
    }

    [Fact]
    public void CountEntries_EndRecordClaimsFewer_CountsWhatTheDirectoryHolds()
    {
        // ZipArchive reads every entry of the directory before it compares with the claimed count.
        var bytes = Zip(20);
        var end = bytes.Length - 22;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(end + 8), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(end + 10), 1);
        using var zip = new MemoryStream(bytes);

        var failure = Assert.Throws<FetchFailure>(() => ZipDirectory.CountEntries(zip, "code", 10, 1024 * 1024));

        Assert.Contains("more than 10 entries", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CountEntries_DirectoryTooLarge_Refused()
    {
        using var zip = new MemoryStream(Zip(50));

        var failure = Assert.Throws<FetchFailure>(() => ZipDirectory.CountEntries(zip, "layer 1", 100, 200));

        Assert.Matches(@"^layer 1: its list of entries \(central directory\) is \d+ bytes, above the 200 bytes allowed$", failure.Message);
    }

    [Fact]
    public void CountEntries_Zip64_ReadsTheZip64Record()
    {
        // More than 65,535 entries: the end record holds 0xFFFF and the zip64 record the real count.
        const int Count = 70_000;
        using var zip = new MemoryStream(Zip(Count));

        Assert.Equal(Count, ZipDirectory.CountEntries(zip, "code", 100_000, UnpackLimits.Default.MaximumDirectoryBytes));
    }

    [Fact]
    public void CountEntries_Truncated_NotAZip()
    {
        var bytes = Zip(3);
        using var zip = new MemoryStream(bytes[..^30]);

        var failure = Assert.Throws<FetchFailure>(() => ZipDirectory.CountEntries(zip, "code", 10, 1024));

        Assert.StartsWith("code is not a valid zip archive", failure.Message, StringComparison.Ordinal);
    }

    private static byte[] Zip(int entries)
    {
        using var stream = new MemoryStream();
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var i = 0; i < entries; i++)
            {
                archive.CreateEntry($"node_modules/pkg{i % 100}/file{i}.js", CompressionLevel.NoCompression);
            }
        }

        return stream.ToArray();
    }
}
