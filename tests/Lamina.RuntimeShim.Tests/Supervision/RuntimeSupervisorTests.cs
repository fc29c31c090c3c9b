using System.Diagnostics.Metrics;
using Lamina.RuntimeShim.Execution;
using Lamina.RuntimeShim.Metrics;
using Lamina.RuntimeShim.Supervision;
using Lamina.RuntimeShim.Tests.Execution;
using Lamina.RuntimeShim.Tests.Fakes;
using Lamina.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lamina.RuntimeShim.Tests.Supervision;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class RuntimeSupervisorTests
{
    private static readonly RuntimeLaunch Launch = new() { Command = ["bootstrap"], Environment = new Dictionary<string, string>() };

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(2, 100)]
    [InlineData(3, 200)]
    [InlineData(4, 400)]
    [InlineData(5, 800)]
    [InlineData(6, 1600)]
    [InlineData(7, 3200)]
    [InlineData(8, 5000)]
    [InlineData(9, 5000)]
    [InlineData(20, 5000)]
    [InlineData(1000, 5000)]
    [InlineData(int.MaxValue, 5000)]
    public void Backoff_ConsecutiveFailures_ImmediateThenDoublingFrom100MillisecondsCappedAt5Seconds(int failures, int milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), RuntimeSupervisor.Backoff(failures));
    }

    [Fact]
    public async Task Reset_OfARuntimeAlreadyReplaced_LeavesItsSuccessorRunning()
    {
        // The flaky InitErrorTests run: a reset for the runtime that failed to initialise arrived after the
        // supervisor had started its successor, and killed the successor during its initialisation.
        using var harness = new EnvironmentHarness();
        using var meter = new Meter(ShimMetrics.MeterName);
        var processes = new FakeRuntimeProcesses();
        using var supervisor = new RuntimeSupervisor(Launch, processes.Start, harness.Environment, harness.Log, harness.Time,
            new ShimMetrics(meter, EnvironmentHarness.Identity), NullLogger<RuntimeSupervisor>.Instance);
        await supervisor.StartAsync(CancellationToken.None);
        var first = await processes.NextAsync();
        var failed = supervisor.Generation!;
        harness.Environment.ReportInitError(new LambdaError("the configuration is missing", "ConformanceInitError"), body: null);
        first.Exit("exit status 1");
        var taken = await harness.Environment.InvokeAsync(EnvironmentHarness.Request("r1"), waitForInit: false, CancellationToken.None).Bounded();
        var second = await processes.NextAsync();

        supervisor.Reset(failed);
        var kept = second.Kills;
        supervisor.Reset(supervisor.Generation!);

        Assert.Equal("ConformanceInitError", EnvironmentHarness.Completed(taken).ErrorType);
        Assert.NotSame(failed, supervisor.Generation);
        Assert.Equal(0, kept);
        Assert.Equal(1, second.Kills);
        await supervisor.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Reset_OfTheRuntimeRunning_KillsItAndStartsTheNext()
    {
        using var harness = new EnvironmentHarness();
        using var meter = new Meter(ShimMetrics.MeterName);
        var processes = new FakeRuntimeProcesses();
        using var supervisor = new RuntimeSupervisor(Launch, processes.Start, harness.Environment, harness.Log, harness.Time,
            new ShimMetrics(meter, EnvironmentHarness.Identity), NullLogger<RuntimeSupervisor>.Instance);
        await supervisor.StartAsync(CancellationToken.None);
        var first = await processes.NextAsync();
        var next = harness.Environment.NextAsync(CancellationToken.None);

        supervisor.Reset(supervisor.Generation!);
        var second = await processes.NextAsync();

        Assert.Equal(1, first.Kills);
        Assert.Equal("signal: killed", await first.Exited.Bounded());
        Assert.Equal(0, second.Kills);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.Bounded());
        await supervisor.StopAsync(CancellationToken.None);
    }
}
