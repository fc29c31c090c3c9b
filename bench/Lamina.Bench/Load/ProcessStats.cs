using System.Globalization;

namespace Lamina.Bench.Load;

/// <summary>
/// Resident memory and process trees of other processes, from <c>/proc</c>: a side of a benchmark is
/// often several processes (the shim and the runtime it starts), counted together.
/// </summary>
internal static class ProcessStats
{
    /// <summary>VmRSS (resident now) of <paramref name="pid"/>, in MB; NaN once it has gone.</summary>
    public static double ResidentMegabytes(int pid) => StatusKilobytes(pid, "VmRSS:") / 1024;

    /// <summary>VmHWM (the highest resident so far) of <paramref name="pid"/>, in MB; NaN once it has gone.</summary>
    public static double PeakResidentMegabytes(int pid) => StatusKilobytes(pid, "VmHWM:") / 1024;

    /// <summary><paramref name="pid"/> and every descendant, from <c>/proc/PID/task/TID/children</c>.</summary>
    public static IReadOnlyList<int> Tree(int pid)
    {
        var all = new List<int> { pid };
        for (var i = 0; i < all.Count; i++)
        {
            try
            {
                foreach (var task in Directory.EnumerateDirectories($"/proc/{all[i]}/task"))
                {
                    var children = File.ReadAllText(Path.Combine(task, "children"));
                    all.AddRange(children.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => int.Parse(c, CultureInfo.InvariantCulture)));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended meanwhile: it has no children to count.
            }
        }

        return all;
    }

    /// <summary>CPU time (user + system) of all of <paramref name="pids"/> so far (<see cref="ProcessCpu"/>; ended ones count 0).</summary>
    public static TimeSpan Cpu(IEnumerable<int> pids)
    {
        var sum = TimeSpan.Zero;
        foreach (var pid in pids)
        {
            try
            {
                sum += ProcessCpu.Of(pid);
            }
            catch (IOException)
            {
            }
        }

        return sum;
    }

    private static double StatusKilobytes(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    return double.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return double.NaN;
    }
}
