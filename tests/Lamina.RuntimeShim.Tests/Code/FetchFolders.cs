using Lamina.RuntimeShim.Code;

namespace Lamina.RuntimeShim.Tests.Code;

/// <summary>
/// A temporary parent folder holding the fetch's two targets and a termination log, so a test can
/// check that nothing was written beside them.
/// </summary>
internal sealed class FetchFolders : IDisposable
{
    public FetchFolders()
    {
        Parent = Directory.CreateTempSubdirectory("lamina-fetch-test-").FullName;
        Directory.CreateDirectory(Task);
        Directory.CreateDirectory(Opt);
        File.WriteAllText(TerminationLog, string.Empty);
    }

    public string Parent { get; }

    public string Task => Path.Combine(Parent, "task");

    public string Opt => Path.Combine(Parent, "opt");

    public string TerminationLog => Path.Combine(Parent, "termination-log");

    /// <summary>What the parent holds, relative (the two targets and the log, unless something escaped).</summary>
    public IReadOnlyList<string> ParentListing() => [.. Directory.EnumerateFileSystemEntries(Parent).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    /// <summary>Everything under <paramref name="folder"/>, relative, sorted; symlinks are listed, not followed.</summary>
    public static IReadOnlyList<string> Listing(string folder)
    {
        var found = new List<string>();
        Walk(new DirectoryInfo(folder), folder, found);
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    private static void Walk(DirectoryInfo directory, string root, List<string> found)
    {
        foreach (var entry in directory.EnumerateFileSystemInfos())
        {
            found.Add(Path.GetRelativePath(root, entry.FullName));
            if (entry is DirectoryInfo { LinkTarget: null } child)
            {
                Walk(child, root, found);
            }
        }
    }

    public void Dispose()
    {
        try
        {
            FolderCleaner.Delete(Parent);
        }
        catch (IOException)
        {
            // The system cleans its temporary folder.
        }
    }
}
