using Lamina.Contracts.Lambda;

namespace Lamina.RuntimeShim.Execution;

/// <summary>The process side: what the supervisor tells of the runtime process (started, wrote, exited), and when it may start the next.</summary>
internal sealed partial class ExecutionEnvironment
{
    /// <summary>A runtime process started: a new generation, not initialised until it calls <c>next</c>.</summary>
    public RuntimeGeneration OnRuntimeStarted()
    {
        lock (gate)
        {
            generation = new RuntimeGeneration(++generations, time.GetTimestamp());
            stateChanged.Pulse();
            return generation;
        }
    }

    /// <summary>Output the runtime wrote: it belongs to the invocation in flight, or to initialisation.</summary>
    public void OnRuntimeOutput(ReadOnlySpan<byte> output)
    {
        lock (gate)
        {
            // Completing included: FinishAsync flushes what the runtime printed before it answered into
            // this tail, and that output arrives after the answer set the state (END is written after it).
            if (current is { State: InvocationState.Running or InvocationState.Completing } invocation)
            {
                invocation.Tail.Append(output);
            }
            else if (generation is { Initialised: false } initialising)
            {
                initialising.InitOutput.Append(output);
            }
        }
    }

    /// <summary>
    /// The runtime process ended. An invocation it was running ends now with Runtime.ExitError; a
    /// runtime that never initialised leaves an init error for the next invocation.
    /// </summary>
    public void OnRuntimeExited(RuntimeGeneration ended, string exitDescription)
    {
        ArgumentNullException.ThrowIfNull(ended);
        Invocation? interrupted = null;
        lock (gate)
        {
            ended.Exited = true;
            if (nextWaiter is { } waiter)
            {
                nextWaiter = null;
                waiter.TrySetCanceled();
            }

            if (current is { State: InvocationState.Running } running)
            {
                running.State = InvocationState.Completing;
                running.DeadlineTimer?.Dispose();
                interrupted = running;
            }
            else if (!ended.Initialised && !ended.Retiring && !draining && initError is null)
            {
                var error = PlatformErrors.RuntimeExited(PlatformErrors.DuringInit, exitDescription);
                initError = new PendingInitError(ended, error, error.ToUtf8Json(), ended.InitOutput.ToArray(), time.GetElapsedTime(ended.StartedTimestamp));
                metrics.InitFailed();
            }

            LogRuntimeExited(logger, ended.Number, exitDescription);
            stateChanged.Pulse();
        }

        if (interrupted is not null)
        {
            var error = PlatformErrors.RuntimeExited(interrupted.RequestId, exitDescription);
            _ = FinishAsync(interrupted, error.ToUtf8Json(), LambdaInvokeApi.FunctionErrors.Unhandled, error.ErrorType, extraLogLine: PlatformLogLines.Error(error));
        }
    }

    /// <summary>
    /// Completes when the supervisor may start the next runtime: at once, unless an init error waits
    /// to be reported (restarting then would only fail again), in which case after it is reported.
    /// </summary>
    public Task WaitForRestartPermissionAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (initError is null || draining)
            {
                return Task.CompletedTask;
            }

            restartPermission ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return restartPermission.Task.WaitAsync(cancellationToken);
        }
    }
}
