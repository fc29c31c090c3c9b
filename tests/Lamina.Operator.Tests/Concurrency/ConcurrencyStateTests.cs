using Lamina.Concurrency.V1;
using Lamina.Operator.Concurrency;
using Lamina.Testing;

namespace Lamina.Operator.Tests.Concurrency;

/// <summary>
/// <see cref="ConcurrencyState"/>'s tests, split into partial files the way the state is: this file holds
/// the shared functions and assertions; <c>ConcurrencyStateTests.&lt;Concern&gt;.cs</c> the tests of each concern.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed partial class ConcurrencyStateTests
{
    private static readonly FunctionId F = new("default", "hello");
    private static readonly FunctionId G = new("default", "other");

    /// <summary>A leading state: environments added after this are not held back by learning.</summary>
    private static ConcurrencyHarness Leading()
    {
        var harness = new ConcurrencyHarness();
        harness.State.StartLeading();
        return harness;
    }

    private static void AssertNothingAnswered(ControllerMessage message)
    {
        Assert.Empty(message.Grants);
        Assert.Empty(message.Refusals);
    }

    private static Refusal AssertRefused(ControllerMessage message, ulong ticket, RefusalReason reason)
    {
        Assert.Empty(message.Grants);
        var refusal = Assert.Single(message.Refusals);
        Assert.Equal(ticket, refusal.Ticket);
        Assert.Equal(reason, refusal.Reason);
        return refusal;
    }

    private static Grant AssertGranted(ControllerMessage message, ulong ticket, string pod)
    {
        Assert.Empty(message.Refusals);
        var grant = Assert.Single(message.Grants);
        Assert.Equal(ticket, grant.Ticket);
        Assert.Equal(pod, grant.Lease.Pod);
        Assert.Equal(ConcurrencyHarness.AddressOf(pod), grant.Lease.Address);
        return grant;
    }
}
