using Lamina.Contracts.Lambda;

namespace Lamina.RuntimeShim.Execution;

/// <summary>How an accepted invocation ends: its deadline, and the one way every ending closes its log and answers the caller.</summary>
internal sealed partial class ExecutionEnvironment
{
    private void OnDeadline(object? state)
    {
        var invocation = (Invocation)state!;
        RuntimeGeneration? timedOut;
        lock (gate)
        {
            if (current != invocation || invocation.State == InvocationState.Completing)
            {
                return;
            }

            invocation.State = InvocationState.Completing;
            timedOut = generation;
            if (timedOut is not null)
            {
                // No new invocation may reach the runtime that is about to be killed.
                timedOut.Retiring = true;
            }
        }

        metrics.Restarted("timeout");
        if (timedOut is not null)
        {
            // This runtime only: had it exited by itself just now, its successor must not be killed for its deadline.
            runtime.Reset(timedOut);
        }

        // The time it was given: the function's timeout, or less when the caller's deadline came first.
        var error = PlatformErrors.TimedOut(invocation.RequestId, invocation.Allowed);
        var line = PlatformLogLines.TimedOut(time.GetUtcNow(), invocation.RequestId, invocation.Allowed);
        _ = FinishAsync(invocation, error.ToUtf8Json(), LambdaInvokeApi.FunctionErrors.Unhandled, error.ErrorType, line);
    }

    private async Task FinishAsync(Invocation invocation, ReadOnlyMemory<byte> payload, string? functionError, string? errorType, byte[]? extraLogLine)
    {
        try
        {
            // What the runtime printed before it answered must land in this invocation's log tail.
            await runtime.FlushOutputAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failed flush only costs log lines; the invocation must still end.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogFlushFailed(logger, e);
        }

        InvocationResult result;
        lock (gate)
        {
            var duration = invocation.DeliveredTimestamp == 0 ? TimeSpan.Zero : time.GetElapsedTime(invocation.DeliveredTimestamp);
            if (extraLogLine is not null)
            {
                WriteLineLocked(invocation, extraLogLine);
            }

            WriteLineLocked(invocation, PlatformLogLines.EndAndReport(invocation.RequestId, duration, options.MemorySizeMB, runtime.PeakMemoryBytes, invocation.InitDuration, errorType));
            result = new InvocationResult
            {
                RequestId = invocation.RequestId,
                Payload = payload,
                FunctionError = functionError,
                ErrorType = errorType,
                LogTail = invocation.Tail.ToArray(),
                ColdStart = invocation.ColdStart,
                InitDuration = invocation.InitDuration,
                Duration = duration,
            };
            if (functionError is null && generation is { } runtimeGeneration)
            {
                runtimeGeneration.Healthy = true;
            }

            current = null;
            metrics.InvocationEnded(duration, functionError);
            stateChanged.Pulse();
        }

        invocation.Completion.TrySetResult(result);
    }
}
