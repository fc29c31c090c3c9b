using Lamina.Gateway.Async;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Async;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class WakeSignalTests
{
    [Fact]
    public void Set_AfterNextWasTaken_CompletesIt()
    {
        var signal = new WakeSignal();
        var taken = signal.Next;

        signal.Set();

        Assert.True(taken.IsCompletedSuccessfully);
    }

    [Fact]
    public void Next_TakenAfterSet_WaitsForTheFollowingSet()
    {
        var signal = new WakeSignal();
        signal.Set();

        var taken = signal.Next;

        Assert.False(taken.IsCompleted);
        signal.Set();
        Assert.True(taken.IsCompletedSuccessfully);
    }
}
