using System.Diagnostics;

namespace Lamina.Bench.Cluster;

/// <summary>One pod's phases on the bench's clock (<see cref="Stopwatch"/> timestamps).</summary>
internal sealed class PodPhases(string name, long created)
{
    public string Name { get; } = name;

    public long Created { get; } = created;

    public long? Scheduled { get; set; }

    public string? Ip { get; set; }
}
