namespace Lamina.RuntimeShim.Hosting;

/// <summary>
/// <c>runtime-shim install DIR</c>, run by the pod's init container: copies the folder the shim runs
/// from (the program, its loader and its libraries under lib/) into the shared emptyDir, which the
/// function container mounts where the shim image had it (/opt/lamina), so the patched loader path
/// stays valid. The copy is written beside the target and renamed into place, so a half-finished
/// copy (the init container killed mid-way) is never mistaken for a finished one.
/// </summary>
internal static class Installer
{
    public static int Run(string target, TextWriter output, TextWriter error)
    {
        var program = Environment.ProcessPath;
        var source = Path.GetDirectoryName(program);
        if (program is null || source is null)
        {
            error.WriteLine("runtime-shim install: cannot tell where the shim runs from");
            return 1;
        }

        try
        {
            var copied = CopyFolder(source, target);
            output.WriteLine($"runtime-shim: installed {copied} files from {source} into {target}");
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"runtime-shim install: copying {source} into {target} failed: {e.Message}");
            return 1;
        }
    }

    /// <summary>Copies every file under <paramref name="source"/> into <paramref name="target"/>, keeping modes.</summary>
    public static int CopyFolder(string source, string target)
    {
        Directory.CreateDirectory(target);
        var copied = 0;
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            var destination = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            var partial = destination + ".partial";
            File.Copy(file, partial, overwrite: true);
            File.SetUnixFileMode(partial, File.GetUnixFileMode(file));
            File.Move(partial, destination, overwrite: true);
            copied++;
        }

        return copied;
    }
}
