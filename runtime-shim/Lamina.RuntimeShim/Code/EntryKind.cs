namespace Lamina.RuntimeShim.Code;

/// <summary>What an entry of an unpacked tree is.</summary>
internal enum EntryKind
{
    File,
    Folder,
    Symlink,
}
