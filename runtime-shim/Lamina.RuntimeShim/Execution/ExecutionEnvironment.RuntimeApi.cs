using Lamina.Contracts.Lambda;

namespace Lamina.RuntimeShim.Execution;

/// <summary>The runtime side: the Runtime API calls of the runtime process, and the delivery of an invocation to it.</summary>
internal sealed partial class ExecutionEnvironment
{
    /// <summary>The runtime's long poll (<c>GET …/invocation/next</c>): the first call ends initialisation.</summary>
    public async Task<Invocation> NextAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<Invocation> waiter;
        lock (gate)
        {
            var runtimeGeneration = generation;
            if (runtimeGeneration is null || runtimeGeneration.Exited)
            {
                throw new RuntimeApiRefusal(StatusCodes.Status500InternalServerError, "Runtime.Stopped", "The environment is being reset: the runtime should exit.");
            }

            if (!runtimeGeneration.Initialised)
            {
                runtimeGeneration.Initialised = true;
                runtimeGeneration.InitDuration = time.GetElapsedTime(runtimeGeneration.StartedTimestamp);
                metrics.Initialised(runtimeGeneration.InitDuration);
                LogInitialised(logger, runtimeGeneration.Number, PlatformLogLines.Milliseconds(runtimeGeneration.InitDuration));
                stateChanged.Pulse();
            }

            if (current is { State: InvocationState.Pending } pending)
            {
                DeliverLocked(pending, runtimeGeneration);
                return pending;
            }

            if (current is { State: InvocationState.Running } running)
            {
                throw RuntimeApiRefusal.InvalidState(
                    $"The runtime asked for the next invocation before posting a response or error for {running.RequestId}.");
            }

            if (nextWaiter is not null)
            {
                throw RuntimeApiRefusal.InvalidState("The runtime is already waiting for the next invocation on another connection.");
            }

            waiter = nextWaiter = new TaskCompletionSource<Invocation>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        try
        {
            return await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            lock (gate)
            {
                if (nextWaiter == waiter)
                {
                    nextWaiter = null;
                }
                else if (waiter.Task.IsCompletedSuccessfully && current == waiter.Task.Result && current.State == InvocationState.Running)
                {
                    // Handed over just as the runtime's connection went away: it never saw the event,
                    // so the runtime's next call (or its successor's) receives it.
                    current.State = InvocationState.Pending;
                    current.DeliveredTimestamp = 0;
                }
            }

            throw;
        }
    }

    /// <summary>The runtime's result (<c>POST …/{id}/response</c>) or function error (<c>…/{id}/error</c>).</summary>
    public Task CompleteAsync(string requestId, ReadOnlyMemory<byte> payload, string? functionError, string? errorType)
    {
        Invocation invocation;
        lock (gate)
        {
            invocation = RunningLocked(requestId);
            if (time.GetUtcNow() >= invocation.Deadline)
            {
                // The deadline passed while the response was on its way: the timeout wins, the response is dropped.
                throw RuntimeApiRefusal.InvalidState($"Invocation {requestId} timed out; its response is discarded.");
            }

            invocation.State = InvocationState.Completing;
            invocation.DeadlineTimer?.Dispose();
        }

        return FinishAsync(invocation, payload, functionError, errorType, extraLogLine: null);
    }

    /// <summary>A response too large to accept: the runtime gets 413, the caller Lambda's Function.ResponseSizeTooLarge.</summary>
    public Task RejectOversizedResponseAsync(string requestId, long limit)
    {
        Invocation invocation;
        lock (gate)
        {
            invocation = RunningLocked(requestId);
            invocation.State = InvocationState.Completing;
            invocation.DeadlineTimer?.Dispose();
        }

        var error = PlatformErrors.ResponseTooLarge(limit);
        return FinishAsync(invocation, error.ToUtf8Json(), LambdaInvokeApi.FunctionErrors.Unhandled, error.ErrorType, extraLogLine: null);
    }

    /// <summary>Checks a request id names the invocation the runtime is working on (for body-less early refusals).</summary>
    public void EnsureRunning(string requestId)
    {
        lock (gate)
        {
            _ = RunningLocked(requestId);
        }
    }

    /// <summary>The runtime could not initialise (<c>POST …/runtime/init/error</c>); the first invocation receives the error.</summary>
    public void ReportInitError(LambdaError error, byte[]? body)
    {
        ArgumentNullException.ThrowIfNull(error);
        lock (gate)
        {
            var runtimeGeneration = generation;
            if (runtimeGeneration is null || runtimeGeneration.Exited || runtimeGeneration.Initialised)
            {
                throw RuntimeApiRefusal.InvalidState("An init error can only be reported during initialisation, before the first call to next.");
            }

            runtimeGeneration.Retiring = true;
            initError = new PendingInitError(runtimeGeneration, error, body ?? error.ToUtf8Json(), runtimeGeneration.InitOutput.ToArray(), time.GetElapsedTime(runtimeGeneration.StartedTimestamp));
            metrics.InitFailed();
            LogInitError(logger, runtimeGeneration.Number, error.ErrorType, error.ErrorMessage);
            stateChanged.Pulse();
        }
    }

    private Invocation RunningLocked(string requestId)
    {
        if (current is not { } invocation || invocation.RequestId != requestId)
        {
            throw RuntimeApiRefusal.UnknownRequest(requestId);
        }

        if (invocation.State != InvocationState.Running)
        {
            throw invocation.State == InvocationState.Pending
                ? RuntimeApiRefusal.InvalidState($"Invocation {requestId} has not been delivered to the runtime yet.")
                : RuntimeApiRefusal.InvalidState($"Invocation {requestId} has already ended.");
        }

        return invocation;
    }

    private void DeliverLocked(Invocation invocation, RuntimeGeneration runtimeGeneration)
    {
        // The cold start is the first invocation a runtime receives, decided here rather than at acceptance:
        // an invocation accepted while the runtime was between next calls may be received by its successor.
        if (!runtimeGeneration.Served)
        {
            runtimeGeneration.Served = true;
            if (!(options.Provisioned && runtimeGeneration.Number == 1))
            {
                invocation.ColdStart = true;
                invocation.InitDuration = runtimeGeneration.InitDuration;
                metrics.ColdStarted();
            }
        }

        invocation.State = InvocationState.Running;
        invocation.DeliveredTimestamp = time.GetTimestamp();
        WriteLineLocked(invocation, PlatformLogLines.Start(invocation.RequestId, options.Version));
    }
}
