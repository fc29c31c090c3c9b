namespace Lamina.Operator.Tests.Concurrency;

/// <summary>The autoscaler as the state runs it each tick (<c>ConcurrencyState.Scaling.cs</c>).</summary>
public sealed partial class ConcurrencyStateTests
{
    // ------------------------------------------------------------------ the autoscaler

    [Fact]
    public void Tick_GatewayDemand_ScalesToDemandAndReportsStatus()
    {
        var harness = Leading();
        harness.Function(F, provisioned: 1, idleAfter: TimeSpan.FromSeconds(10));
        harness.Serve(F, "hello-pc-1", provisioned: true);
        harness.Serve(F, "hello-fn-1");
        harness.Serve(F, "hello-fn-2");
        harness.SetEnvironment(F, "hello-fn-3", serving: false, terminating: false);
        var a = harness.Connect("gw-a");
        Assert.Null(harness.State.Scale(F)); // nothing decided yet

        a.ReportDemand(F, inFlight: 2, waiting: 3, started: 5);
        harness.Tick();

        Assert.Equal(4, harness.LastScale(F)); // 5 environments, one of them provisioned
        Assert.Contains(F, harness.StatusChanges);
        var scale = harness.State.Scale(F);
        Assert.NotNull(scale);
        Assert.Equal(5, scale.Desired);
        Assert.Equal(4, scale.OnDemandReplicas);
        Assert.Equal(3, scale.Ready);
        Assert.Equal(2, scale.Busy);
        Assert.Equal(1, scale.ProvisionedReady);
        Assert.NotNull(scale.LastScale);
        Assert.Equal(0, scale.LastScale.From);
        Assert.Equal(5, scale.LastScale.To);
        Assert.Equal((F, scale.LastScale), harness.Decisions[^1]);
    }

    [Fact]
    public void Tick_GatewayReportsAgainThenItsStreamEnds_ProvisionedBusyIsItsLatestReportThenNothing()
    {
        var harness = Leading();
        harness.Function(F, provisioned: 2);
        harness.Serve(F, "hello-pc-1", provisioned: true);
        harness.Serve(F, "hello-pc-2", provisioned: true);
        var a = harness.Connect("gw-a");
        var b = harness.Connect("gw-b");
        a.Acquire(F);
        b.Acquire(F);

        a.ReportDemand(F, inFlight: 1, waiting: 0, started: 1, provisionedInFlight: 1);
        b.ReportDemand(F, inFlight: 1, waiting: 0, started: 1, provisionedInFlight: 1);
        harness.Tick();
        Assert.Equal((2, 2), Running(harness));

        a.ReportDemand(F, inFlight: 0, waiting: 0, started: 0, provisionedInFlight: 0); // replaces, not adds
        harness.Tick();
        Assert.Equal((1, 1), Running(harness));

        b.Disconnect(); // its lease waits out the TTL, but nothing runs on it for this count
        harness.Tick();
        Assert.Equal((0, 0), Running(harness));
        Assert.Equal(2, harness.State.LeaseCount(F));

        static (int Busy, int ProvisionedBusy) Running(ConcurrencyHarness harness)
        {
            var gauges = Assert.Single(harness.State.Gauges());
            return (gauges.Busy, gauges.ProvisionedBusy);
        }
    }

    [Fact]
    public void Tick_IdleForIdleAfter_ScalesToProvisionedFloor()
    {
        var idleAfter = TimeSpan.FromSeconds(10);
        var harness = Leading();
        harness.Function(F, provisioned: 1, idleAfter: idleAfter);
        harness.Serve(F, "hello-pc-1", provisioned: true);
        harness.Serve(F, "hello-fn-1");
        var a = harness.Connect("gw-a");
        a.ReportDemand(F, inFlight: 6, waiting: 0, started: 6);
        harness.Tick();
        Assert.Equal(5, harness.LastScale(F));

        a.ReportDemand(F, inFlight: 0, waiting: 0, started: 0);
        harness.AdvanceAndTick(idleAfter - TimeSpan.FromSeconds(1));
        Assert.NotEqual(0, harness.LastScale(F)); // not idle yet: the averages still ask for on-demand environments
        harness.AdvanceAndTick(TimeSpan.FromSeconds(1));

        Assert.Equal(0, harness.LastScale(F));
        var scale = harness.State.Scale(F);
        Assert.NotNull(scale);
        Assert.Equal(1, scale.Desired);
        Assert.Equal(0, scale.OnDemandReplicas);
        Assert.Equal(0, scale.Busy);
        Assert.Contains("idle", scale.LastScale?.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Tick_DemandAboveReserved_ScaleCappedAtReserved()
    {
        var harness = Leading();
        harness.Function(F, reserved: 3);
        var a = harness.Connect("gw-a");

        a.ReportDemand(F, inFlight: 0, waiting: 10, started: 0);
        harness.Tick();

        Assert.Equal(3, harness.LastScale(F));
    }
}
