using Lamina.Concurrency.V1;

namespace Lamina.Operator.Tests.Concurrency;

/// <summary>A function's failure to start environments (<c>ConcurrencyState.Functions.cs</c>).</summary>
public sealed partial class ConcurrencyStateTests
{
    // ------------------------------------------------------------------ failures

    [Fact]
    public void SetFailure_NoServingEnvironment_RefusesWaitingTicketFunctionFailed()
    {
        const string Failure = "ErrImageNeverPull: Container image \"hello:dev\" is not present with pull policy of Never";
        var harness = Leading();
        harness.Function(F);
        var a = harness.Connect("gw-a");
        var ticket = a.Acquire(F);
        AssertNothingAnswered(a.Take());

        harness.State.SetFailure(F, Failure);

        var refusal = AssertRefused(a.Take(), ticket, RefusalReason.FunctionFailed);
        Assert.Contains(Failure, refusal.Message, StringComparison.Ordinal);

        var next = a.Acquire(F);
        AssertRefused(a.Take(), next, RefusalReason.FunctionFailed);
    }

    [Fact]
    public void SetFailure_ServingEnvironment_DoesNotRefuse()
    {
        var harness = Leading();
        harness.Function(F);
        harness.Serve(F, "hello-fn-1");
        var a = harness.Connect("gw-a");
        var b = harness.Connect("gw-b");
        a.Acquire(F);
        var lease = Assert.Single(a.Take().Grants).Lease;
        var ticket = b.Acquire(F);
        AssertNothingAnswered(b.Take());

        harness.State.SetFailure(F, "CrashLoopBackOff: back-off 5m0s restarting failed container");

        AssertNothingAnswered(b.Take());
        a.Release(lease.LeaseId);
        AssertGranted(b.Take(), ticket, "hello-fn-1");
    }
}
