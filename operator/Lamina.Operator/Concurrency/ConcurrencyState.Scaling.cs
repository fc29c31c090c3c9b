using System.Globalization;

namespace Lamina.Operator.Concurrency;

/// <summary>
/// How many environments each function should have: the poke when a ticket finds none free, and the
/// autoscaler every tick over what the gateways report (docs/concurrency.md, "The autoscaler").
/// </summary>
internal sealed partial class ConcurrencyState
{
    /// <summary>
    /// A ticket could not be served by an environment that exists: ask for enough environments for every
    /// lease and every waiting ticket now, without waiting for the next tick (Knative's "poke").
    /// </summary>
    private void Poke(FunctionEntry function, DateTimeOffset now)
    {
        var limits = function.Limits;
        if (function.Unservable() is not null)
        {
            return;
        }

        var cap = Math.Max(Cap(function, out _), limits.Provisioned);
        var required = Math.Min(function.Wanted, cap);
        if (required > function.Desired)
        {
            SetDesired(function, Math.Max(required, limits.Provisioned), now,
                string.Create(CultureInfo.InvariantCulture, $"{function.Pending.Count} invocations waiting and {function.Leases.Count} environments leased now"));
        }
    }

    private void Autoscale(FunctionEntry function, DateTimeOffset now)
    {
        var inFlight = 0;
        var provisionedInFlight = 0;
        var waiting = 0;
        foreach (var session in _sessions.Values)
        {
            if (session.Connected && session.Demand.TryGetValue(function.Id, out var demand))
            {
                inFlight += demand.InFlight;
                provisionedInFlight += demand.ProvisionedInFlight;
                waiting += demand.Waiting;
            }
        }

        function.ReportedInFlight = inFlight;
        function.ReportedProvisionedInFlight = provisionedInFlight;
        var observed = inFlight + waiting;
        function.Autoscaler.Record(now, observed);
        if (function.LastActivity is { } activity)
        {
            function.Autoscaler.Touch(activity);
        }

        if (!function.Exists)
        {
            return;
        }

        // What the controller itself sees now (leases and tickets) counts too: a gateway's report may be
        // a second old, and a burst that has just arrived must not be scaled away.
        var demandNow = Math.Max(observed, function.Wanted);
        var inputs = new ScaleInputs(demandNow, function.CountReady().Ready, function.Desired, function.Floor,
            function.ScaleCap(_unreservedCapacity), function.Limits.IdleAfter);
        var decision = function.Autoscaler.Decide(now, inputs);
        if (decision.Desired != function.Desired || !function.Decided)
        {
            SetDesired(function, decision.Desired, now, decision.Reason);
        }

        var previousBusy = function.PublishedBusy;
        function.PublishedBusy = function.Busy;
        if (previousBusy != function.PublishedBusy)
        {
            StatusChanged(function);
        }
    }

    private void SetDesired(FunctionEntry function, int desired, DateTimeOffset now, string reason)
    {
        var before = function.Desired;
        var firstDecision = !function.Decided;
        function.Decided = true;
        function.Desired = desired;
        var onDemand = function.OnDemandFor(desired);
        if (desired != before)
        {
            function.LastScale = new ScaleEvent(now, before, desired, reason);
            _decided?.Invoke(function.Id, function.LastScale);
        }

        if (onDemand != function.OnDemandReplicas || firstDecision)
        {
            function.OnDemandReplicas = onDemand;
            _scale(function.Id, onDemand);
        }

        StatusChanged(function);
    }
}
