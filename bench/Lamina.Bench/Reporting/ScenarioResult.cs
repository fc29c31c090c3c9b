namespace Lamina.Bench.Reporting;

/// <summary>What <c>bench/results/&lt;scenario&gt;.json</c> holds: one run of one scenario, and where it ran.</summary>
/// <param name="Scenario">Its name (<see cref="IScenario.Name"/>).</param>
/// <param name="Summary">What it measures (<see cref="IScenario.Summary"/>).</param>
/// <param name="StartedUtc">When it began.</param>
/// <param name="DurationSeconds">How long it took, set-up included.</param>
/// <param name="Smoke">A bench-smoke run: the numbers mean nothing and no target is judged.</param>
/// <param name="Size">The size given on the command line, if any.</param>
/// <param name="Machine">The machine it ran on.</param>
/// <param name="Report">Everything it measured (up to the failure, if it failed).</param>
/// <param name="Error">The failure, when it threw; null when it ran to the end.</param>
internal sealed record ScenarioResult(
    string Scenario,
    string Summary,
    DateTime StartedUtc,
    double DurationSeconds,
    bool Smoke,
    int? Size,
    MachineInfo Machine,
    ScenarioReport Report,
    string? Error);

/// <summary>The machine a result was measured on: ratios compare across machines, absolute figures do not.</summary>
internal sealed record MachineInfo(int Cores, double MemoryGigabytes, string Os, string Dotnet)
{
    public static MachineInfo Current() => new(
        Environment.ProcessorCount,
        Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
        System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
}
