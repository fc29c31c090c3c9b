using Lamina.Bench.Cluster;
using Lamina.Testing;

namespace Lamina.Bench.Chaos;

/// <summary>
/// The issue's three figures for one fault, and what explains them: sync invocations that failed
/// (after the SDK's tries), events answered 202 that never ran, executions of the capped function
/// started while its cap was full; plus duplicates and what the callers saw.
/// </summary>
internal sealed record PhaseFigures(
    int Sync,
    int FailedSync,
    int FailedFirstTries,
    IReadOnlyList<string> FailedSyncAnswers,
    int Events,
    int EventsAccepted,
    int EventsNotAccepted,
    int LostEvents,
    int Duplicates,
    int CapViolations,
    int CapMaximumInside,
    int CapUnfinished,
    IReadOnlyList<double> SyncOkMs,
    IReadOnlyList<double> EnqueueMs)
{
    /// <summary>
    /// Waits (bounded) for every accepted event to run, then reads the figures off the calls and the
    /// witnesses. An event still not run at <paramref name="runTimeout"/> is lost.
    /// </summary>
    public static async Task<PhaseFigures> OfAsync(ChaosLoad load, int reserved, TimeSpan runTimeout)
    {
        ArgumentNullException.ThrowIfNull(load);
        var accepted = load.EventCalls.Where(e => e.RequestId is not null).Select(e => e.RequestId!).ToList();
        var starts = load.EventWitness.StartsByRequest;
        try
        {
            await Eventually.HoldsAsync(() => accepted.TrueForAll(starts.ContainsKey), runTimeout, "every event answered 202 ran");
        }
        catch (TimeoutException)
        {
            // Counted as lost below.
        }

        var sync = load.SyncCalls.ToList();
        var failed = sync.Where(c => !c.Ok).ToList();
        return new PhaseFigures(
            sync.Count,
            failed.Count,
            sync.Count(c => c.Answers.Count > 1 || !c.Ok),
            [.. failed.GroupBy(c => $"{c.Function}: {string.Join(" / ", c.Answers)}").OrderByDescending(g => g.Count()).Select(g => $"{g.Count()}x {g.Key}")],
            load.EventCalls.Count,
            accepted.Count,
            load.EventCalls.Count - accepted.Count,
            accepted.Count(id => !starts.ContainsKey(id)),
            accepted.Sum(id => starts.TryGetValue(id, out var n) ? n - 1 : 0),
            load.CapWitness.StartsAbove(reserved),
            load.CapWitness.MaximumTotal,
            load.CapWitness.Starts - load.CapWitness.Ends,
            [.. sync.Where(c => c.Ok).Select(c => (c.AnsweredAt - c.SentAt) * 1000)],
            [.. load.EventCalls.Where(e => e.RequestId is not null).Select(e => (e.AnsweredAt - e.SentAt) * 1000)]);
    }

    /// <summary>The figures in a line.</summary>
    public string Describe(string phase, IReadOnlyCollection<EventCall> events) =>
        $"chaos: {phase}: failed sync {FailedSync} of {Sync} (after {ChaosLoad.SyncTries} tries; {FailedFirstTries} needed more than one){(FailedSync == 0 ? "" : $" [{string.Join("; ", FailedSyncAnswers.Take(4))}]")}; " +
        $"lost events {LostEvents} of {EventsAccepted} answered 202 ({EventsNotAccepted} of {Events} never answered 202{NotAccepted(events)}); duplicates {Duplicates}; " +
        $"cap violations {CapViolations} (at most {CapMaximumInside} inside at once{(CapUnfinished == 0 ? "" : $"; {CapUnfinished} executions never said they ended, which counts them inside ever after")}); " +
        $"sync ok {Percentile.P50P95(SyncOkMs)}, p99 {Percentile.Of(SyncOkMs, 0.99):F0} ms";

    private static string NotAccepted(IReadOnlyCollection<EventCall> events)
    {
        var last = events.Where(e => e.RequestId is null).GroupBy(e => e.Answers.Count == 0 ? "?" : e.Answers[^1]).Select(g => $"{g.Count()} {g.Key}").ToList();
        return last.Count == 0 ? "" : $": last answers {string.Join(", ", last)}";
    }
}
