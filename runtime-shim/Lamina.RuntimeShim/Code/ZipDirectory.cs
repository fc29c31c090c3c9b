using System.Buffers.Binary;

namespace Lamina.RuntimeShim.Code;

/// <summary>
/// Counts an archive's entries by walking its central directory (APPNOTE.TXT 4.3.12 to 4.3.16) before
/// ZipArchive reads it: ZipArchive builds an object for every entry the directory holds, whatever
/// count the end record claims, so a crafted directory of millions of entries would exhaust the
/// shim's heap before a single entry could be refused. This walk allocates nothing per entry.
/// </summary>
internal static class ZipDirectory
{
    private const uint EndSignature = 0x06054b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint EntrySignature = 0x02014b50;
    private const int EndLength = 22;
    private const int Zip64LocatorLength = 20;
    private const int Zip64EndLength = 56;
    private const int EntryHeaderLength = 46;
    private const int MaximumCommentLength = ushort.MaxValue;

    /// <summary>
    /// The number of entries in <paramref name="archive"/>'s central directory; refuses an archive that
    /// is not a zip, whose directory is larger than <paramref name="maximumDirectoryBytes"/>, or that
    /// holds more than <paramref name="maximumEntries"/> entries.
    /// </summary>
    public static int CountEntries(Stream archive, string what, int maximumEntries, long maximumDirectoryBytes)
    {
        var (offset, size) = FindDirectory(archive, what);
        if (size > maximumDirectoryBytes)
        {
            throw new FetchFailure($"{what}: its list of entries (central directory) is {size} bytes, above the {maximumDirectoryBytes} bytes allowed");
        }

        if (offset < 0 || size < 0 || offset > archive.Length || size > archive.Length - offset)
        {
            throw NotAZip(what, "its central directory lies outside the file");
        }

        // One read per entry (the stream is unbuffered): a hundred thousand entries take milliseconds.
        archive.Position = offset;
        Span<byte> header = stackalloc byte[EntryHeaderLength];
        long read = 0;
        var count = 0;
        while (read < size)
        {
            if (size - read < EntryHeaderLength)
            {
                throw NotAZip(what, "its central directory ends inside an entry");
            }

            archive.ReadExactly(header);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != EntrySignature)
            {
                throw NotAZip(what, "its central directory holds something that is not an entry");
            }

            if (count >= maximumEntries)
            {
                throw new FetchFailure($"{what}: more than {maximumEntries} entries are left for it (the code and its layers together may hold at most the limit)");
            }

            var variable = (long)BinaryPrimitives.ReadUInt16LittleEndian(header[28..])
                + BinaryPrimitives.ReadUInt16LittleEndian(header[30..])
                + BinaryPrimitives.ReadUInt16LittleEndian(header[32..]);
            read += EntryHeaderLength + variable;
            if (read > size)
            {
                throw NotAZip(what, "its central directory ends inside an entry");
            }

            archive.Seek(variable, SeekOrigin.Current);
            count++;
        }

        return count;
    }

    private static (long Offset, long Size) FindDirectory(Stream archive, string what)
    {
        var tailLength = (int)Math.Min(archive.Length, EndLength + MaximumCommentLength + Zip64LocatorLength);
        if (tailLength < EndLength)
        {
            throw NotAZip(what, "it is too short");
        }

        var tail = new byte[tailLength];
        archive.Position = archive.Length - tailLength;
        archive.ReadExactly(tail);
        var end = -1;
        for (var i = tailLength - EndLength; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == EndSignature)
            {
                end = i;
                break;
            }
        }

        if (end < 0)
        {
            throw NotAZip(what, "it has no end-of-central-directory record");
        }

        var record = tail.AsSpan(end);
        long entries = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
        long size = BinaryPrimitives.ReadUInt32LittleEndian(record[12..]);
        long offset = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);
        if (entries != ushort.MaxValue && size != uint.MaxValue && offset != uint.MaxValue)
        {
            return (offset, size);
        }

        // Zip64: the real values are in the zip64 end record, which the locator just before points at.
        if (end < Zip64LocatorLength || BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(end - Zip64LocatorLength)) != Zip64LocatorSignature)
        {
            throw NotAZip(what, "its end record needs a zip64 record that is missing");
        }

        var zip64End = BinaryPrimitives.ReadInt64LittleEndian(tail.AsSpan(end - Zip64LocatorLength + 8));
        if (zip64End < 0 || zip64End > archive.Length - Zip64EndLength)
        {
            throw NotAZip(what, "its zip64 end record lies outside the file");
        }

        Span<byte> zip64 = stackalloc byte[Zip64EndLength];
        archive.Position = zip64End;
        archive.ReadExactly(zip64);
        if (BinaryPrimitives.ReadUInt32LittleEndian(zip64) != Zip64EndSignature)
        {
            throw NotAZip(what, "its zip64 end record is damaged");
        }

        return (BinaryPrimitives.ReadInt64LittleEndian(zip64[48..]), BinaryPrimitives.ReadInt64LittleEndian(zip64[40..]));
    }

    private static FetchFailure NotAZip(string what, string why) => new($"{what} is not a valid zip archive: {why}");
}
