namespace Lamina.Bench.Chaos;

/// <summary>
/// One fault of the chaos scenario: its name in the report, whether bench-smoke runs it, and what it
/// does while the load runs (returning what it saw, for the report's line).
/// </summary>
/// <param name="Name">Short, in the report: "gateway SIGKILL".</param>
/// <param name="InSmoke">bench-smoke runs it (only the cheap ones: the smoke run stays under 3 minutes).</param>
/// <param name="ApplyAsync">Breaks something while <see cref="ChaosLoad"/> runs and waits until it is whole again; returns a line on what happened.</param>
internal sealed record ChaosPhase(string Name, bool InSmoke, Func<ChaosLoad, Task<string>> ApplyAsync);
