namespace Lamina.RuntimeShim.Code;

/// <summary>
/// One folder a fetch fills (<c>/var/task</c> or <c>/opt</c>), and the staging folder inside it where
/// blobs are downloaded and unpacked first. The folder is the pod's emptyDir, so its parent is the
/// image's (read-only) root and nothing can be staged beside it; the staging folder is therefore a
/// hidden folder inside, and only when everything is verified and unpacked are its entries moved up
/// (renames on one filesystem). On failure everything is removed: the folder is left empty, and the
/// pod's init fails, so a half-unpacked function never runs.
/// </summary>
internal sealed class FetchTarget
{
    /// <summary>The prefix of staging folders; one left by a fetch that was killed is removed by the next.</summary>
    public const string StagingPrefix = ".lamina-fetch-";

    private FetchTarget(string root, string staging) => (Root, Staging) = (root, staging);

    /// <summary>The folder being filled.</summary>
    public string Root { get; }

    /// <summary>The staging folder inside <see cref="Root"/>.</summary>
    public string Staging { get; }

    /// <summary>Where the archives are unpacked before they are moved into <see cref="Root"/>.</summary>
    public string Tree => Path.Combine(Staging, "tree");

    /// <summary>Where blob <paramref name="index"/> is downloaded.</summary>
    public string Blob(int index) => Path.Combine(Staging, $"blob-{index}.zip");

    /// <summary>
    /// Makes <paramref name="root"/> ready: it must be empty, or a mount point of its own (an emptyDir
    /// whose earlier contents are this fetch's own from a previous run of the init container: removed),
    /// so a fetch run by hand with a wrong folder never deletes anything it did not write.
    /// </summary>
    public static FetchTarget Prepare(string root)
    {
        try
        {
            Directory.CreateDirectory(root);
            var others = new List<string>();
            foreach (var entry in Directory.EnumerateFileSystemEntries(root))
            {
                if (Path.GetFileName(entry).StartsWith(StagingPrefix, StringComparison.Ordinal))
                {
                    FolderCleaner.Delete(entry);
                }
                else if (!MountPoints.IsMountPoint(entry))
                {
                    others.Add(entry); // a volume mounted inside (the shim's /opt/lamina) is not content
                }
            }

            if (others.Count > 0)
            {
                if (!MountPoints.IsMountPoint(root))
                {
                    throw new FetchFailure($"{root} is not empty and not a volume of its own: fetch unpacks only into an empty folder or an emptyDir");
                }

                FolderCleaner.Empty(root);
            }

            var staging = Path.Combine(root, StagingPrefix + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(staging, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.CreateDirectory(Path.Combine(staging, "tree"));
            return new FetchTarget(root, staging);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FetchFailure($"cannot prepare {root}: {e.Message}", e);
        }
    }

    /// <summary>Moves the unpacked tree into <see cref="Root"/> and removes the staging folder.</summary>
    public void Commit()
    {
        try
        {
            foreach (var entry in new DirectoryInfo(Tree).EnumerateFileSystemInfos())
            {
                var destination = Path.Combine(Root, entry.Name);
                if (MountPoints.IsMountPoint(destination))
                {
                    throw new FetchFailure($"the unpacked '{entry.Name}' would replace {destination}, where another volume is mounted (the runtime shim's own folder): a layer may not have a top-level '{entry.Name}' folder");
                }

                if (entry is DirectoryInfo { LinkTarget: null } folder)
                {
                    folder.MoveTo(destination);
                }
                else
                {
                    // A file or a symlink (to anything): File.Move renames the link itself.
                    File.Move(entry.FullName, destination);
                }
            }

            FolderCleaner.Delete(Staging);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FetchFailure($"moving the unpacked files into {Root} failed: {e.Message}", e);
        }
    }

    /// <summary>Leaves <see cref="Root"/> empty, whatever was done; best effort, as the fetch fails anyway.</summary>
    public void Abort()
    {
        try
        {
            FolderCleaner.Empty(Root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The init fails anyway; the next run removes what is left (Prepare).
        }
    }
}
