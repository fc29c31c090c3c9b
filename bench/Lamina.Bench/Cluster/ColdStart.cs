using System.Diagnostics;

namespace Lamina.Bench.Cluster;

/// <summary>
/// One cold start's phases as <see cref="Stopwatch"/> timestamps: the request sent, the Deployment's
/// scale written (Lamina only), the pod created, scheduled, its shim answering (the container started), the
/// runtime initialised (the shim's readiness), the answer received; and the other pods made for it
/// (one cold invocation should make one pod: any other is counted and named in the report).
/// </summary>
internal sealed record ColdStart(long Sent, long? ScaleWritten, long PodCreated, long? Scheduled, long? Started, long? Ready, long Answered, string? OtherPods = null)
{
    public double Total => Milliseconds(Answered);

    public double Milliseconds(long? at) => at is { } t ? Stopwatch.GetElapsedTime(Sent, t).TotalMilliseconds : double.NaN;
}
