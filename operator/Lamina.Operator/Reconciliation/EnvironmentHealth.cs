using System.Globalization;
using System.Text;
using k8s.Models;

namespace Lamina.Operator.Reconciliation;

/// <summary>
/// Reads a function's pods into the EnvironmentsHealthy condition. An image that cannot run the
/// shim (exec format error, no loader, a noexec mount), a shim that exits at start, a shim or
/// function image that cannot be pulled: the kubelet reports each only in the pod's container
/// statuses, so a Function would otherwise look merely "rolling out" while its pods crash-loop.
/// Pods in, condition out: no client, no clock.
/// </summary>
internal static class EnvironmentHealth
{
    /// <summary>Messages are read by people (<c>kubectl describe</c>) and stored in etcd: one screen at most.</summary>
    public const int MaxMessageLength = 1000;

    /// <summary>The shim writes why it could not start to the termination log with this prefix (docs/runtime-shim.md).</summary>
    public const string ShimMessagePrefix = "runtime-shim:";

    /// <summary>The reason when the shim itself said why it exited.</summary>
    public const string ShimExited = "ShimExited";

    /// <summary>The reason when the init container that copies the shim fails.</summary>
    public const string InstallFailed = "InstallFailed";

    /// <summary>
    /// The reason when a zip function's fetch-code init container fails (the store down, a digest
    /// mismatch, a zip that would unpack outside its target): the pod never starts the runtime.
    /// </summary>
    public const string CodeFetchFailed = "CodeFetchFailed";

    /// <summary>The reason when a container keeps exiting and the kubelet keeps restarting it.</summary>
    private const string CrashLoopBackOff = "CrashLoopBackOff";

    /// <summary>The kubelet's waiting reasons while an image cannot be pulled: the attempt, then the wait for the next.</summary>
    private const string ErrImagePull = "ErrImagePull";

    /// <inheritdoc cref="ErrImagePull" />
    private const string ImagePullBackOff = "ImagePullBackOff";

    /// <summary>Waiting reasons of a container on its way up, not failures.</summary>
    private static readonly HashSet<string> StartingReasons = new(StringComparer.Ordinal) { "ContainerCreating", "PodInitializing" };

    /// <summary>
    /// Waiting reasons the kubelet alternates between while it retries a container that ran and
    /// exited (or could not start): both are read from that exit, so a crash loop's every phase
    /// (back-off, restart, exit) reads the same and the status is not rewritten at each restart.
    /// </summary>
    private static readonly HashSet<string> RetryReasons = new(StringComparer.Ordinal) { CrashLoopBackOff, "RunContainerError" };

    /// <summary>
    /// The condition's status, reason and message for a function's <paramref name="pods"/>, given the
    /// condition as it was (<paramref name="previous"/>; only to keep an image pull's error through its back-off).
    /// </summary>
    public static (string Status, string Reason, string Message) Of(IReadOnlyList<V1Pod> pods, V1Condition? previous = null)
    {
        ArgumentNullException.ThrowIfNull(pods);
        (string Pod, Failure Failure)? first = null;
        var failing = 0;
        foreach (var pod in pods)
        {
            // A pod being deleted is on its way out, and a pod in a terminal phase (evicted, its node
            // shut down) has been replaced by the ReplicaSet: neither says anything about the current spec.
            if (pod.Metadata.DeletionTimestamp is not null || pod.Status?.Phase is "Succeeded" or "Failed")
            {
                continue;
            }

            if (FailureOf(pod.Status) is not { } podFailure)
            {
                continue;
            }

            failing++;
            var name = pod.Metadata.Name ?? "";
            // The same pod whatever order the cache lists them in: the first by name.
            if (first is null || string.CompareOrdinal(name, first.Value.Pod) < 0)
            {
                first = (name, podFailure);
            }
        }

        if (first is not { } found)
        {
            return (FunctionConditions.True, "Healthy", "no execution environment reports a failing container");
        }

        var failure = found.Failure;
        // The kubelet alternates ErrImagePull (with the registry's answer) and ImagePullBackOff (with none)
        // at each retry: the back-off keeps the error it backs off from, and the status is not rewritten.
        if (failure.What == ImagePullBackOff
            && previous is { Status: FunctionConditions.False, Reason: { } previousReason, Message: { } previousMessage }
            && previousMessage.StartsWith($"pod {found.Pod}: {failure.Container}: {ErrImagePull}", StringComparison.Ordinal))
        {
            return (FunctionConditions.False, previousReason, previousMessage);
        }

        var head = $"pod {found.Pod}: {failure.Container}: {failure.What}";
        var tail = (failure.ExitCode is { } exitCode ? string.Create(CultureInfo.InvariantCulture, $" (exit code {exitCode})") : "")
            + (failing > 1 ? string.Create(CultureInfo.InvariantCulture, $"; {failing - 1} more failing {(failing == 2 ? "pod" : "pods")}") : "");
        // The detail (a termination log, a runtime's error) is what may be long: it is cut, the rest is kept.
        var message = failure.Detail is { Length: > 0 } detail
            ? $"{head}: {Bound(detail, MaxMessageLength - head.Length - tail.Length - 2)}{tail}"
            : head + tail;
        return (FunctionConditions.False, failure.Reason, Bound(message, MaxMessageLength));
    }

    /// <summary>What failed in one container, in words that stay the same while it keeps failing the same way.</summary>
    private sealed record Failure(string Reason, string Container, string What, string? Detail, int? ExitCode);

    /// <summary>The first failing container of a pod: init containers first, since they run first.</summary>
    private static Failure? FailureOf(V1PodStatus? status)
    {
        foreach (var container in status?.InitContainerStatuses ?? [])
        {
            if (FailureOf(container, init: true) is { } failure)
            {
                return failure with { Reason = container.Name == CodePod.FetchCodeContainer ? CodeFetchFailed : InstallFailed };
            }
        }

        foreach (var container in status?.ContainerStatuses ?? [])
        {
            if (FailureOf(container, init: false) is { } failure)
            {
                return failure;
            }
        }

        return null;
    }

    private static Failure? FailureOf(V1ContainerStatus status, bool init)
    {
        var container = (init ? "init container " : "container ") + status.Name;
        var current = status.State?.Terminated;
        var last = status.LastState?.Terminated;
        // An init container succeeds by exiting 0; the function container (the shim) never exits by itself.
        bool Failed(V1ContainerStateTerminated exit) => !init || exit.ExitCode != 0;

        if (status.State?.Waiting is { Reason: { Length: > 0 } reason } waiting)
        {
            if (StartingReasons.Contains(reason))
            {
                return null;
            }

            // The back-off message ("back-off 40s restarting failed container") changes at every restart:
            // the exit it backs off from says why, and does not.
            return RetryReasons.Contains(reason) && (current ?? last) is { } exit
                ? Exited(container, exit)
                : new Failure(CamelCase(reason), container, reason, OneLine(waiting.Message), null);
        }

        if (current is not null)
        {
            return Failed(current) ? Exited(container, current) : null;
        }

        // Restarted after a failure and not ready yet: still the same crash loop until it proves otherwise.
        if (status.State?.Running is not null && !status.Ready && last is not null && Failed(last))
        {
            return Exited(container, last);
        }

        return null;
    }

    private static Failure Exited(string container, V1ContainerStateTerminated exit)
    {
        var detail = OneLine(exit.Message);
        var reason = detail?.StartsWith(ShimMessagePrefix, StringComparison.Ordinal) == true ? ShimExited : CrashLoopBackOff;
        return new Failure(reason, container, CrashLoopBackOff, detail ?? $"exited with {exit.Reason ?? "an error"}", exit.ExitCode);
    }

    /// <summary>A condition reason must be CamelCase (metav1.Condition); a container runtime may say anything.</summary>
    private static string CamelCase(string reason)
    {
        var kept = new StringBuilder(reason.Length);
        foreach (var c in reason)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                kept.Append(c);
            }
        }

        return kept.Length > 0 && char.IsAsciiLetter(kept[0]) ? kept.ToString() : "ContainerFailing";
    }

    /// <summary>Termination logs and runtime errors may span lines; a condition message reads best as one.</summary>
    private static string? OneLine(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var line = new StringBuilder(text.Length);
        foreach (var part in text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            line.Append(line.Length > 0 ? " " : "").Append(part);
        }

        return line.ToString();
    }

    /// <summary><paramref name="text"/>, cut to <paramref name="length"/> characters with an ellipsis.</summary>
    private static string Bound(string text, int length)
    {
        if (text.Length <= length)
        {
            return text;
        }

        var cut = Math.Max(length - 1, 0);
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
        {
            cut--; // never split a character in two
        }

        return string.Concat(text.AsSpan(0, cut), "…");
    }
}
