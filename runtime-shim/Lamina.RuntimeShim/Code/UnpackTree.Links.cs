namespace Lamina.RuntimeShim.Code;

/// <summary>Symlinks and folder modes: what is done only after every archive's files are in place.</summary>
internal sealed partial class UnpackTree
{
    // Path → (target, the archive and entry it came from, for errors).
    private readonly Dictionary<string, (string Target, string What, string Name)> _links = new(StringComparer.Ordinal);

    /// <summary>
    /// Creates the symlinks of every archive, once each is known to stay inside the tree. A link's
    /// target is followed segment by segment from the link's folder: it must be relative, no <c>..</c>
    /// may climb above the tree, and it may not pass through another symlink on the way (the kernel
    /// would resolve that one first, and a <c>..</c> after it would climb from wherever it points).
    /// Every folder on the way is a real folder (<see cref="MakeParents"/>), so this walk is the
    /// kernel's walk. A link may end at another link: that one is checked the same way.
    /// </summary>
    public void CreateLinks()
    {
        foreach (var (path, (target, what, name)) in _links)
        {
            if (WhyOutside(path, target) is { } reason)
            {
                throw Refused(what, name, $"a symlink to '{EntryName.Printable(target)}', {reason}");
            }
        }

        foreach (var (path, (target, what, name)) in _links)
        {
            try
            {
                File.CreateSymbolicLink(Path.Combine(Root, path), target);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new FetchFailure($"{what}: creating the symlink '{EntryName.Printable(name)}' failed: {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// Gives every folder its mode, under <paramref name="finalRoot"/> (where the tree was moved:
    /// a folder the zip makes read-only could not have been moved or filled if it had its mode sooner).
    /// </summary>
    public void ApplyFolderModes(string finalRoot)
    {
        foreach (var (path, mode) in _folderModes)
        {
            File.SetUnixFileMode(Path.Combine(finalRoot, path), mode);
        }
    }

    private void AddLink(string path, string target, string what, string name)
    {
        if (target.Length == 0)
        {
            throw Refused(what, name, "a symlink with an empty target");
        }

        if (target[0] == '/')
        {
            throw Refused(what, name, $"a symlink to the absolute path '{EntryName.Printable(target)}' (only relative links that stay inside are allowed)");
        }

        foreach (var c in target)
        {
            if (c == '\0' || c == '\\' || char.IsControl(c))
            {
                throw Refused(what, name, "a symlink target with a backslash or a control character");
            }
        }

        _links[path] = (target, what, name);
        _entries[path] = EntryKind.Symlink;
        Files++;
    }

    private void RemoveLink(string path) => _links.Remove(path);

    /// <summary>Null when <paramref name="target"/>, seen from the link at <paramref name="path"/>, stays inside; else why not.</summary>
    private string? WhyOutside(string path, string target)
    {
        var position = new List<string>(path.Split('/'));
        position.RemoveAt(position.Count - 1);
        var segments = target.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (position.Count == 0)
                {
                    return "which points outside the target";
                }

                position.RemoveAt(position.Count - 1);
                continue;
            }

            position.Add(segment);
            if (MoreFollows(segments, i) && _links.ContainsKey(string.Join('/', position)))
            {
                return $"which passes through the symlink '{EntryName.Printable(string.Join('/', position))}'";
            }
        }

        return null;
    }

    private static bool MoreFollows(string[] segments, int index)
    {
        for (var i = index + 1; i < segments.Length; i++)
        {
            if (segments[i] is not ("" or "."))
            {
                return true;
            }
        }

        return false;
    }
}
