using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Lamina.RuntimeShim.Code;

namespace Lamina.RuntimeShim.Tests.Code;

/// <summary>Builds zips the way the tests need them, malicious ones included, with Unix modes as Info-ZIP writes them.</summary>
internal sealed class TestZip
{
    public const int RegularType = 0x8000;
    public const int FolderType = 0x4000;
    public const int SymlinkType = 0xA000;
    public const int CharacterDeviceType = 0x2000;
    public const int FifoType = 0x1000;

    private readonly MemoryStream _stream = new();
    private readonly ZipArchive _archive;

    public TestZip() => _archive = new ZipArchive(_stream, ZipArchiveMode.Create, leaveOpen: true);

    /// <summary>0644, 0755, … written as C# has no octal literals.</summary>
    public static int Octal(string digits) => Convert.ToInt32(digits, 8);

    public TestZip File(string name, string content, string mode = "644") => Entry(name, RegularType | Octal(mode), Encoding.UTF8.GetBytes(content));

    public TestZip File(string name, byte[] content, string mode = "644") => Entry(name, RegularType | Octal(mode), content);

    public TestZip Folder(string name, string mode = "755") => Entry(name.EndsWith('/') ? name : name + "/", FolderType | Octal(mode), []);

    public TestZip Symlink(string name, string target) => Entry(name, SymlinkType | Octal("777"), Encoding.UTF8.GetBytes(target));

    /// <summary>An entry with exactly this name and Unix mode (type bits included).</summary>
    public TestZip Entry(string name, int unixMode, byte[] content, CompressionLevel level = CompressionLevel.Optimal)
    {
        var entry = _archive.CreateEntry(name, level);
        entry.ExternalAttributes = unixMode << 16;
        using var stream = entry.Open();
        stream.Write(content);
        return this;
    }

    /// <summary>An entry with no Unix attributes at all (as a Windows tool writes it).</summary>
    public TestZip PlainEntry(string name, string content)
    {
        var entry = _archive.CreateEntry(name);
        entry.ExternalAttributes = 0;
        using var stream = entry.Open();
        stream.Write(Encoding.UTF8.GetBytes(content));
        return this;
    }

    public byte[] Build()
    {
        _archive.Dispose();
        return _stream.ToArray();
    }

    /// <summary>
    /// Rewrites every entry's uncompressed size, in its local header and in the central directory, to
    /// <paramref name="size"/>: a zip bomb whose headers claim little.
    /// </summary>
    public static byte[] ClaimUncompressedSize(byte[] zip, uint size)
    {
        var bytes = (byte[])zip.Clone();
        for (var i = 0; i + 46 <= bytes.Length; i++)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i));
            if (signature == 0x04034b50)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + 22), size);
            }
            else if (signature == 0x02014b50)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + 24), size);
            }
        }

        return bytes;
    }

    /// <summary>The digest a fetch names these bytes by.</summary>
    public static BlobDigest DigestOf(byte[] bytes) => new(Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length);
}
