namespace Lamina.Bench.Reporting;

/// <summary>What a scenario is run with, and the report it fills.</summary>
/// <param name="Size">The size given on the command line (invocations, samples, functions: the scenario says), or null for its default.</param>
/// <param name="Smoke">bench-smoke: the smallest run that still takes every path and writes every figure; its numbers mean nothing.</param>
/// <param name="ShimBinary">The published shim for this machine (make bench sets LAMINA_SHIM_BINARY), when there is one.</param>
/// <param name="PreviousShimBinary">The shim's previous build, when make bench published it.</param>
internal sealed record ScenarioRun(int? Size, bool Smoke, string? ShimBinary, string? PreviousShimBinary)
{
    /// <summary>The report the scenario fills; the harness names and writes it.</summary>
    public ScenarioReport Report { get; } = new();

    /// <summary><see cref="Size"/>, or <paramref name="full"/> normally and <paramref name="smoke"/> for bench-smoke.</summary>
    public int SizeOr(int full, int smoke) => Size ?? (Smoke ? smoke : full);

    /// <summary>The shim binary, or a clear failure when make bench did not provide it.</summary>
    public string Shim => ShimBinary ?? throw new InvalidOperationException("LAMINA_SHIM_BINARY must name the published shim (make bench sets it)");
}
