using System.Globalization;
using Lamina.Testing;

namespace Lamina.Bench;

/// <summary>
/// This bench program started again as a baseline server in a process of its own (<c>hello PORT</c>,
/// <c>proxy PORT TARGET</c>), so that a baseline shares no process, thread pool or GC with the load.
/// </summary>
internal static class SelfProcess
{
    public static SupervisedProcess Start(string mode, int port, params string[] arguments)
    {
        var self = Environment.ProcessPath!;
        var all = new List<string>();
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            all.Add(typeof(SelfProcess).Assembly.Location);
        }

        all.AddRange([mode, port.ToString(CultureInfo.InvariantCulture), .. arguments]);
        return SupervisedProcess.Start(self, all, Path.Combine(Path.GetTempPath(), $"lamina-bench-{mode}-{port}.log"));
    }
}
