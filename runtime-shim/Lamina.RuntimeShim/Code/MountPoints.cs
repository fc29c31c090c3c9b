namespace Lamina.RuntimeShim.Code;

/// <summary>Whether a folder is a mount point (a volume of its own, as an emptyDir is), from /proc/self/mountinfo.</summary>
internal static class MountPoints
{
    private const string MountInfo = "/proc/self/mountinfo";

    // proc(5): "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw": the fifth field is the mount point.
    private const int MountPointField = 4;

    public static bool IsMountPoint(string folder)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        try
        {
            foreach (var line in File.ReadLines(MountInfo))
            {
                var fields = line.Split(' ');
                if (fields.Length > MountPointField && Unescape(fields[MountPointField]) == full)
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No /proc: not known to be a mount point.
        }

        return false;
    }

    /// <summary>mountinfo writes space, tab, newline and backslash as octal escapes (\040).</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var text = new System.Text.StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                text.Append((char)(((field[i + 1] - '0') * 64) + ((field[i + 2] - '0') * 8) + (field[i + 3] - '0')));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }

        return text.ToString();
    }

    private static bool IsOctal(string field, int start) =>
        start + 2 < field.Length && field[start] is >= '0' and <= '7' && field[start + 1] is >= '0' and <= '7' && field[start + 2] is >= '0' and <= '7';
}
