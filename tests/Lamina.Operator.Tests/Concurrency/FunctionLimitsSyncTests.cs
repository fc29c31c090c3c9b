using Lamina.Operator.Api;
using Lamina.Operator.Concurrency;
using Lamina.Operator.Reconciliation;
using Lamina.Testing;

namespace Lamina.Operator.Tests.Concurrency;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class FunctionLimitsSyncTests
{
    private static readonly FunctionId Slow = new("team-a", "slow");
    private static readonly FunctionId Quick = new("team-a", "quick");

    [Fact]
    public void Sync_TimeoutSetOrDefaulted_StateKnowsEachFunctionsTimeout()
    {
        var harness = new ConcurrencyHarness();
        var sync = new FunctionLimitsSync(harness.State, new Lister([
            Functions.Valid("slow", change: s => s.TimeoutSeconds = 60),
            Functions.Valid("quick"),
        ]), harness.Options);

        sync.Sync();

        var gauges = harness.State.Gauges().ToDictionary(static g => g.Function);
        Assert.Equal(60, gauges[Slow].TimeoutSeconds);
        Assert.Equal(FunctionDefaults.TimeoutSeconds, gauges[Quick].TimeoutSeconds);
    }

    [Fact]
    public void Sync_TimeoutChanged_StateTold()
    {
        var harness = new ConcurrencyHarness();
        var slow = Functions.Valid("slow", change: s => s.TimeoutSeconds = 60);
        var sync = new FunctionLimitsSync(harness.State, new Lister([slow]), harness.Options);
        sync.Sync();

        slow.Spec.TimeoutSeconds = 120;
        sync.Sync();

        Assert.Equal(120, Assert.Single(harness.State.Gauges()).TimeoutSeconds);
    }

    [Fact]
    public void Sync_Reservations_StateKnowsTheCapsAndTheUnreservedRoom()
    {
        var harness = new ConcurrencyHarness(new ConcurrencyOptions { PoolSize = 1000, UnreservedMinimum = 100 });
        var sync = new FunctionLimitsSync(harness.State, new Lister([
            Functions.Valid("slow", change: s => s.Concurrency = new FunctionConcurrency { Reserved = 300 }),
            Functions.Valid("quick"),
        ]), harness.Options);

        sync.Sync();

        var gauges = harness.State.Gauges().ToDictionary(static g => g.Function);
        Assert.Equal(300, gauges[Slow].Reserved);
        Assert.Null(gauges[Quick].Reserved);
        Assert.Equal(700, harness.State.UnreservedCapacity);
    }

    /// <summary>An always-synced cache of these Functions.</summary>
    private sealed class Lister(IReadOnlyList<Function> functions) : IObjectLister<Function>
    {
        public Function? Get(string? ns, string name) =>
            functions.FirstOrDefault(f => f.Metadata.NamespaceProperty == ns && f.Metadata.Name == name);

        public IReadOnlyList<Function> List() => functions;
    }
}
