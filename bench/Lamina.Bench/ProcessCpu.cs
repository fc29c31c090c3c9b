using System.Globalization;

namespace Lamina.Bench;

/// <summary>CPU time (user + system) another process has used so far, from <c>/proc/PID/stat</c>.</summary>
internal static class ProcessCpu
{
    /// <summary>
    /// USER_HZ, the unit of <c>utime</c> and <c>stime</c>: 100 on every architecture .NET runs Linux on.
    /// So a figure is only as fine as 10 ms; a difference over one short window is mostly rounding, and
    /// only a sum over many windows (or one long one) means something.
    /// </summary>
    private const double TicksPerSecond = 100;

    public static TimeSpan Of(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
        // Fields 14 and 15 (utime, stime) are the 12th and 13th after it.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
