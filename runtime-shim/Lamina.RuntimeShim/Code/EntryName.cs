using System.Text;

namespace Lamina.RuntimeShim.Code;

/// <summary>
/// The rules an entry's name must pass before anything is written for it: a relative path of plain
/// segments, so that joined to the target it can only name a place inside it.
/// </summary>
internal static class EntryName
{
    // Linux's NAME_MAX and PATH_MAX: a longer name could not be created anyway.
    private const int MaximumSegmentBytes = 255;
    private const int MaximumPathBytes = 4095;

    // Enough of a name to recognise it in an error line, which ends up in a Function's condition.
    private const int MaximumShownLength = 200;

    /// <summary>
    /// The entry's path relative to the target (no trailing slash), and whether its name marks a
    /// folder (ends with <c>/</c>); or, in <paramref name="refusal"/>, why it is refused.
    /// </summary>
    public static bool TryNormalize(string name, out string path, out bool folder, out string refusal)
    {
        path = string.Empty;
        folder = name.EndsWith('/');
        refusal = Check(name, folder) ?? string.Empty;
        if (refusal.Length > 0)
        {
            return false;
        }

        path = folder ? name[..^1] : name;
        return true;
    }

    /// <summary><paramref name="name"/> safe to print: control characters escaped, long names cut.</summary>
    public static string Printable(string name)
    {
        var text = new StringBuilder(Math.Min(name.Length, MaximumShownLength) + 8);
        foreach (var c in name)
        {
            if (text.Length >= MaximumShownLength)
            {
                text.Append('…');
                break;
            }

            if (char.IsControl(c))
            {
                text.Append($"\\x{(int)c:x2}");
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    private static string? Check(string name, bool folder)
    {
        if (name.Length == 0 || name == "/")
        {
            return "an empty name";
        }

        foreach (var c in name)
        {
            if (char.IsControl(c))
            {
                return "a control character in the name";
            }

            if (c == '\\')
            {
                return "a backslash (a Windows path; zips use /)";
            }
        }

        if (name[0] == '/')
        {
            return "an absolute path";
        }

        if (name.Length >= 2 && name[1] == ':' && char.IsAsciiLetter(name[0]))
        {
            return "a drive letter";
        }

        if (Encoding.UTF8.GetByteCount(name) > MaximumPathBytes)
        {
            return $"a path longer than {MaximumPathBytes} bytes";
        }

        var relative = folder ? name.AsSpan(0, name.Length - 1) : name.AsSpan();
        foreach (var range in relative.Split('/'))
        {
            var segment = relative[range];
            if (segment.Length == 0)
            {
                return "an empty path segment (//)";
            }

            if (segment is ".")
            {
                return "a '.' path segment";
            }

            if (segment is "..")
            {
                return "a '..' path segment (zip-slip: it would write outside the target)";
            }

            if (Encoding.UTF8.GetByteCount(segment) > MaximumSegmentBytes)
            {
                return $"a path segment longer than {MaximumSegmentBytes} bytes";
            }
        }

        return null;
    }
}
