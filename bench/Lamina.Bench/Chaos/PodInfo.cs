namespace Lamina.Bench.Chaos;

/// <summary>One pod as the chaos scenario needs it.</summary>
internal sealed record PodInfo(string Name, string Uid, string? Ip, bool Ready, bool Terminating, int Restarts, string? ContainerId);
