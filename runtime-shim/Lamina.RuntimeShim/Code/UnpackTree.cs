using System.Buffers;
using System.IO.Compression;
using System.Text;

namespace Lamina.RuntimeShim.Code;

/// <summary>
/// Unpacks zips, one after another, into one folder (a staging folder: <see cref="FetchTarget"/>),
/// writing every entry with its own code rather than ZipFile.ExtractToDirectory, so that each rule is
/// checked before a byte lands: a name can only name a place inside the folder (<see cref="EntryName"/>);
/// no entry is written through or as a symlink, because symlinks are created only at the end
/// (<see cref="CreateLinks"/>), after every archive's files, and only if they point inside; sizes are
/// counted as written (<see cref="UnpackBudget"/>), so a zip bomb stops at the limit whatever its
/// headers say. A later archive's file replaces an earlier one's (layers, in order); a file where a
/// folder is, or the other way round, is refused.
/// </summary>
internal sealed partial class UnpackTree(string root, UnpackBudget budget)
{
    private const int BufferSize = 128 * 1024;

    private readonly Dictionary<string, EntryKind> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, UnixFileMode> _folderModes = new(StringComparer.Ordinal);

    /// <summary>The folder unpacked into.</summary>
    public string Root { get; } = root;

    /// <summary>Files (and symlinks) in the tree now.</summary>
    public int Files { get; private set; }

    /// <summary>Bytes written into this tree (replaced files included: they count against the limit too).</summary>
    public long Bytes { get; private set; }

    /// <summary>Unpacks the zip at <paramref name="archivePath"/> over what is already here; <paramref name="what"/> names it in errors.</summary>
    public void Add(string archivePath, string what)
    {
        using var stream = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        ZipDirectory.CountEntries(stream, what, budget.EntriesLeft, budget.Limits.MaximumDirectoryBytes);
        stream.Position = 0;
        try
        {
            using var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var entries = archive.Entries;
            long declared = 0;
            foreach (var entry in entries)
            {
                declared += entry.Length;
            }

            budget.CheckDeclared(declared, what);
            var names = new HashSet<string>(entries.Count, StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                budget.AddEntry(what);
                AddEntry(entry, what, names);
            }
        }
        catch (InvalidDataException e)
        {
            throw new FetchFailure($"{what} is not a valid zip archive: {e.Message}", e);
        }
    }

    private void AddEntry(ZipArchiveEntry entry, string what, HashSet<string> names)
    {
        var name = entry.FullName;
        if (!EntryName.TryNormalize(name, out var path, out var folderName, out var refusal)
            || !UnixModes.TryKind(entry.ExternalAttributes, folderName, out var kind, out refusal))
        {
            throw Refused(what, name, refusal);
        }

        if (!names.Add(path))
        {
            throw Refused(what, name, "its path appears twice in the archive");
        }

        MakeParents(path, what, name);
        var existing = _entries.TryGetValue(path, out var found) ? found : (EntryKind?)null;
        try
        {
            switch (kind)
            {
                case EntryKind.Folder:
                    if (existing is EntryKind.File or EntryKind.Symlink)
                    {
                        throw Refused(what, name, $"it is a folder where an earlier entry is a {Describe(existing.Value)}");
                    }

                    if (existing is null)
                    {
                        Directory.CreateDirectory(Path.Combine(Root, path));
                        _entries[path] = EntryKind.Folder;
                    }

                    _folderModes[path] = UnixModes.Of(entry.ExternalAttributes, kind);
                    break;
                case EntryKind.File:
                    Replace(path, existing, what, name);
                    WriteFile(entry, path, what);
                    break;
                default:
                    Replace(path, existing, what, name);
                    AddLink(path, ReadLinkTarget(entry, what), what, name);
                    break;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FetchFailure($"{what}: writing entry '{EntryName.Printable(name)}' failed: {e.Message}", e);
        }
    }

    /// <summary>Every folder above <paramref name="path"/> must be a real folder: one is made where none is, a file or a symlink there is refused.</summary>
    private void MakeParents(string path, string what, string name)
    {
        for (var slash = path.IndexOf('/'); slash >= 0; slash = path.IndexOf('/', slash + 1))
        {
            var parent = path[..slash];
            if (!_entries.TryGetValue(parent, out var kind))
            {
                Directory.CreateDirectory(Path.Combine(Root, parent));
                _entries[parent] = EntryKind.Folder;
                _folderModes.TryAdd(parent, UnixModes.ImpliedFolder);
            }
            else if (kind == EntryKind.Symlink)
            {
                throw Refused(what, name, $"it would be written through the symlink '{EntryName.Printable(parent)}'");
            }
            else if (kind == EntryKind.File)
            {
                throw Refused(what, name, $"it needs a folder '{EntryName.Printable(parent)}' where an entry is a file");
            }
        }
    }

    /// <summary>An earlier archive's file or symlink at <paramref name="path"/> is replaced; a folder is not.</summary>
    private void Replace(string path, EntryKind? existing, string what, string name)
    {
        switch (existing)
        {
            case EntryKind.Folder:
                throw Refused(what, name, "it is a file where an earlier entry is a folder");
            case EntryKind.File:
                File.Delete(Path.Combine(Root, path));
                _entries.Remove(path);
                Files--;
                break;
            case EntryKind.Symlink:
                // Not created yet (links come last): forgetting it is replacing it.
                RemoveLink(path);
                _entries.Remove(path);
                Files--;
                break;
        }
    }

    private void WriteFile(ZipArchiveEntry entry, string path, string what)
    {
        var full = Path.Combine(Root, path);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            // CreateNew: the path cannot already exist, so nothing (no symlink) is followed on the way in.
            using (var output = new FileStream(full, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            using (var input = entry.Open())
            {
                _entries[path] = EntryKind.File;
                Files++;
                long written = 0;
                uint crc = 0;
                int read;
                while ((read = input.Read(buffer, 0, BufferSize)) > 0)
                {
                    budget.AddBytes(read, what, EntryName.Printable(entry.FullName));
                    Bytes += read;
                    written += read;
                    crc = Crc32.Append(crc, buffer.AsSpan(0, read));
                    output.Write(buffer, 0, read);
                }

                if (crc != entry.Crc32 || written != entry.Length)
                {
                    throw Refused(what, entry.FullName, "its content does not match its header's CRC-32 and size (a damaged zip, or a header that lies about the size, as a zip bomb's does)");
                }
            }

            File.SetUnixFileMode(full, UnixModes.Of(entry.ExternalAttributes, EntryKind.File));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private string ReadLinkTarget(ZipArchiveEntry entry, string what)
    {
        // A symlink's target is its content; PATH_MAX bounds it.
        const int MaximumTarget = 4095;
        using var input = entry.Open();
        var buffer = new byte[MaximumTarget + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = input.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
        }

        if (length > MaximumTarget)
        {
            throw Refused(what, entry.FullName, $"a symlink target longer than {MaximumTarget} bytes");
        }

        budget.AddBytes(length, what, EntryName.Printable(entry.FullName));
        Bytes += length;
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, length);
        }
        catch (DecoderFallbackException)
        {
            throw Refused(what, entry.FullName, "a symlink target that is not UTF-8");
        }
    }

    private static string Describe(EntryKind kind) => kind switch
    {
        EntryKind.File => "file",
        EntryKind.Folder => "folder",
        _ => "symlink",
    };

    private static FetchFailure Refused(string what, string name, string reason) =>
        new($"{what}: entry '{EntryName.Printable(name)}' refused: {reason}");
}
