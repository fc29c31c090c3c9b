namespace Lamina.RuntimeShim.Code;

/// <summary>
/// Reads a zip entry's Unix mode (the high 16 bits of its external attributes, as Info-ZIP writes
/// them) and turns it into the mode the unpacked file gets.
/// </summary>
internal static class UnixModes
{
    private const int TypeMask = 0xF000;
    private const int RegularType = 0x8000;
    private const int FolderType = 0x4000;
    private const int SymlinkType = 0xA000;
    private const int PermissionMask = 0x1FF; // rwxrwxrwx; setuid, setgid and sticky are dropped

    // The runtime may run as another user than the fetch: everything is readable (and folders
    // enterable) by all. Nothing is writable by the runtime anyway: the volume is mounted read-only.
    private const UnixFileMode AlwaysFile = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode AlwaysFolder = AlwaysFile | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    // A zip made without Unix attributes (on Windows, say): what unzip gives such files.
    private const UnixFileMode DefaultFile = AlwaysFile | UnixFileMode.UserWrite;
    private const UnixFileMode DefaultFolder = AlwaysFolder | UnixFileMode.UserWrite;

    /// <summary>
    /// The entry's kind from its mode and name, or why it is refused (a device, FIFO or socket, or a
    /// folder name on a symlink).
    /// </summary>
    public static bool TryKind(int externalAttributes, bool folderName, out EntryKind kind, out string refusal)
    {
        var type = (externalAttributes >> 16) & TypeMask;
        refusal = string.Empty;
        kind = EntryKind.File;
        switch (type)
        {
            case 0 or RegularType:
                kind = folderName ? EntryKind.Folder : EntryKind.File;
                return true;
            case FolderType:
                kind = EntryKind.Folder;
                return true;
            case SymlinkType when !folderName:
                kind = EntryKind.Symlink;
                return true;
            case SymlinkType:
                refusal = "a symlink whose name ends with /";
                return false;
            default:
                refusal = $"a device file, FIFO or socket (mode {type:x4}), which a function's code never needs";
                return false;
        }
    }

    /// <summary>The mode an unpacked file or folder gets.</summary>
    public static UnixFileMode Of(int externalAttributes, EntryKind kind)
    {
        var mode = (externalAttributes >> 16) & 0xFFFF;
        var permissions = (UnixFileMode)(mode & PermissionMask);
        return kind == EntryKind.Folder
            ? (mode == 0 ? DefaultFolder : permissions | AlwaysFolder)
            : (mode == 0 ? DefaultFile : permissions | AlwaysFile);
    }

    /// <summary>A folder's mode where no entry gives one (a folder only implied by the paths under it).</summary>
    public static UnixFileMode ImpliedFolder => DefaultFolder;
}
