namespace Lamina.Bench.Reporting;

/// <summary>
/// One scenario of <c>make bench</c>. Every class implementing it in this assembly is a scenario
/// (found by reflection), so adding one is adding a class: <c>make bench SCENARIO=&lt;name&gt;</c> runs it,
/// <c>make bench</c> runs them all, and the bench-smoke test runs each at its smallest.
/// </summary>
internal interface IScenario
{
    /// <summary>Its name on the command line and in <c>bench/results/&lt;name&gt;.json</c>.</summary>
    string Name { get; }

    /// <summary>One line: what it measures, against which baselines.</summary>
    string Summary { get; }

    /// <summary>Whether it needs the local cluster (<c>make cluster-up</c>).</summary>
    bool NeedsCluster { get; }

    /// <summary>Runs, printing as it goes and recording every figure in <see cref="ScenarioRun.Report"/>.</summary>
    Task RunAsync(ScenarioRun run);
}
