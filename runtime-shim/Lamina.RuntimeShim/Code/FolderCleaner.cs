namespace Lamina.RuntimeShim.Code;

/// <summary>
/// Deletes what a fetch wrote, never following a symlink (it deletes the link) and first giving back
/// write permission to folders a zip made read-only (a 0555 folder cannot be emptied otherwise).
/// </summary>
internal static class FolderCleaner
{
    private const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Deletes everything inside <paramref name="folder"/>, keeping the folder (a mount point) and any
    /// volume mounted inside it: in the pod's fetch step the shim's own folder is mounted at
    /// <c>/opt/lamina</c>, inside the layers' <c>/opt</c>, and is not the fetch's to delete.
    /// </summary>
    public static void Empty(string folder)
    {
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo { LinkTarget: null } && MountPoints.IsMountPoint(entry.FullName))
            {
                continue;
            }

            Delete(entry.FullName);
        }
    }

    /// <summary>Deletes <paramref name="path"/>: a file, a symlink, or a folder and all it holds.</summary>
    public static void Delete(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is null && info.Attributes.HasFlag(FileAttributes.Directory))
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | Owner);
            Empty(path);
            Directory.Delete(path);
        }
        else
        {
            File.Delete(path);
        }
    }
}
