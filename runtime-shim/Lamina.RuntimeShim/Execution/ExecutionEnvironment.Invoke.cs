using Lamina.Contracts.Lambda;

namespace Lamina.RuntimeShim.Execution;

/// <summary>The invoke side: the gateway's requests, accepted, refused or answered at once.</summary>
internal sealed partial class ExecutionEnvironment
{
    /// <summary>
    /// Runs one invocation. Answers <see cref="InvokeOutcome.Busy"/> at once when another is in flight
    /// and <see cref="InvokeOutcome.Unavailable"/> when the environment cannot take it (unless
    /// <paramref name="waitForInit"/>, which waits for the runtime to initialise, as RIE does).
    /// Once accepted, the invocation runs to its end even if the caller goes away: the runtime is
    /// working on it, and the environment stays busy until it is done.
    /// </summary>
    public async Task<InvokeOutcome> InvokeAsync(InvocationRequest request, bool waitForInit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        while (true)
        {
            Task changed;
            Invocation? accepted = null;
            InvocationResult? failedInit = null;
            RuntimeGeneration? failedGeneration = null;
            TaskCompletionSource? permission = null;
            InvocationResult? failedDeadline = null;
            lock (gate)
            {
                if (draining)
                {
                    return new InvokeOutcome.Unavailable("draining");
                }

                if (current is not null)
                {
                    return InvokeOutcome.Busy.Instance;
                }

                if (initError is not null)
                {
                    failedGeneration = initError.Failed;
                    failedInit = TakeInitErrorLocked(request);
                    permission = restartPermission;
                    restartPermission = null;
                }
                else if (request.Deadline is { } callerDeadline && callerDeadline <= time.GetUtcNow())
                {
                    // Already too late (a stale deadline, or clocks apart): say so without costing the runtime a reset.
                    failedDeadline = ExpiredLocked(request);
                }
                else if (AcceptsInvocations(generation))
                {
                    accepted = AcceptLocked(request, generation!);
                }
                else if (!waitForInit)
                {
                    return new InvokeOutcome.Unavailable(generation is null ? "the runtime is starting" : "the runtime is initialising");
                }

                changed = stateChanged.Next;
            }

            if (failedInit is not null)
            {
                // Lambda tears an environment down after a failed init; the next invocation initialises afresh.
                // The reset names the runtime that failed: it may have exited by itself meanwhile and the
                // supervisor started the next one (it need not wait once the error is taken), which must live.
                runtime.Reset(failedGeneration!);
                permission?.TrySetResult();
                return new InvokeOutcome.Completed(failedInit);
            }

            if (failedDeadline is not null)
            {
                return new InvokeOutcome.Completed(failedDeadline);
            }

            if (accepted is not null)
            {
                return new InvokeOutcome.Completed(await accepted.Completion.Task.ConfigureAwait(false));
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private Invocation AcceptLocked(InvocationRequest request, RuntimeGeneration runtimeGeneration)
    {
        var now = time.GetUtcNow();
        var deadline = now + options.Timeout;
        if (request.Deadline is { } callerDeadline && callerDeadline < deadline)
        {
            deadline = callerDeadline;
        }

        var invocation = new Invocation(request, deadline, request.TraceId ?? TraceHeader.NewUnsampled(now), time.GetTimestamp()) { Allowed = deadline - now };
        current = invocation;
        metrics.InvocationStarted(request.InvocationType);
        if (nextWaiter is { } waiter)
        {
            nextWaiter = null;
            DeliverLocked(invocation, runtimeGeneration);
            waiter.TrySetResult(invocation);
        }

        var remaining = deadline - now;
        invocation.DeadlineTimer = time.CreateTimer(OnDeadline, invocation, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        return invocation;
    }

    private InvocationResult ExpiredLocked(InvocationRequest request)
    {
        var error = PlatformErrors.TimedOut(request.RequestId, TimeSpan.Zero);
        metrics.InvocationStarted(request.InvocationType);
        metrics.InvocationEnded(TimeSpan.Zero, LambdaInvokeApi.FunctionErrors.Unhandled);
        return new InvocationResult
        {
            RequestId = request.RequestId,
            Payload = error.ToUtf8Json(),
            FunctionError = LambdaInvokeApi.FunctionErrors.Unhandled,
            ErrorType = error.ErrorType,
        };
    }

    /// <summary>
    /// The init error goes to this invocation, which never reaches a runtime: its log is what the runtime
    /// printed while it failed, then START, END and a REPORT with no duration and no memory used.
    /// </summary>
    private InvocationResult TakeInitErrorLocked(InvocationRequest request)
    {
        var error = initError!;
        initError = null;
        var tail = new LogTail();
        tail.Append(error.Output);
        var started = PlatformLogLines.Start(request.RequestId, options.Version);
        var ended = PlatformLogLines.EndAndReport(request.RequestId, TimeSpan.Zero, options.MemorySizeMB, peakMemoryBytes: 0, error.InitDuration, error.Error.ErrorType);
        WriteLineLocked(null, started);
        WriteLineLocked(null, ended);
        tail.Append(started);
        tail.Append(ended);
        metrics.InvocationStarted(request.InvocationType);
        metrics.ColdStarted();
        metrics.InvocationEnded(TimeSpan.Zero, LambdaInvokeApi.FunctionErrors.Unhandled);
        LogInitErrorReported(logger, request.RequestId, error.Error.ErrorType);
        return new InvocationResult
        {
            RequestId = request.RequestId,
            Payload = error.Body,
            FunctionError = LambdaInvokeApi.FunctionErrors.Unhandled,
            ErrorType = error.Error.ErrorType,
            LogTail = tail.ToArray(),
            ColdStart = true,
            InitDuration = error.InitDuration,
        };
    }
}
