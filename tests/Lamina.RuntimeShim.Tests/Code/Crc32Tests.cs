using System.IO.Compression;
using System.Text;
using Lamina.RuntimeShim.Code;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Code;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class Crc32Tests
{
    [Fact]
    public void Append_CheckValue_MatchesTheStandard() =>
        Assert.Equal(0xCBF43926u, Crc32.Append(0, "123456789"u8));

    [Fact]
    public void Append_InPieces_SameAsAtOnce()
    {
        var data = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("a zip entry's bytes, ", 1000)));

        var pieces = Crc32.Append(Crc32.Append(Crc32.Append(0, data.AsSpan(0, 3)), data.AsSpan(3, 1000)), data.AsSpan(1003));

        Assert.Equal(Crc32.Append(0, data), pieces);
    }

    [Fact]
    public void Append_ZipArchivesOwnCrc_Equal()
    {
        var data = new byte[100_003];
        new Random(21).NextBytes(data);
        using var archive = new ZipArchive(new MemoryStream(new TestZip().File("random.bin", data).Build()), ZipArchiveMode.Read);

        Assert.Equal(archive.Entries[0].Crc32, Crc32.Append(0, data));
    }
}
