using System.Globalization;
using System.Text;
using Lamina.RuntimeShim.Metrics;

namespace Lamina.RuntimeShim.Execution;

/// <summary>
/// One Lambda execution environment: the meeting point of the invoke side (the gateway's requests) and
/// the runtime side (the Runtime API calls of the runtime process). It holds at most one invocation at
/// a time, hands it to the runtime's long-polling <c>next</c>, enforces its deadline, and turns every
/// way an invocation can end (result, error, timeout, the runtime exiting, an init failure) into one
/// <see cref="InvocationResult"/>. All state changes happen under one lock; nothing blocks under it.
/// </summary>
internal sealed partial class ExecutionEnvironment
{
    private readonly Lock gate = new();
    private readonly EnvironmentOptions options;
    private readonly TimeProvider time;
    private readonly IFunctionLog log;
    private readonly ShimMetrics metrics;
    private readonly ILogger<ExecutionEnvironment> logger;
    private IRuntimeHandle runtime = NoRuntime.Instance;

    private RuntimeGeneration? generation;
    private int generations;
    private Invocation? current;
    private TaskCompletionSource<Invocation>? nextWaiter;
    private PendingInitError? initError;
    private bool draining;
    private TaskCompletionSource stateChanged = NewSignal();
    private TaskCompletionSource? restartPermission;

    public ExecutionEnvironment(EnvironmentOptions options, TimeProvider time, IFunctionLog log, ShimMetrics metrics, ILogger<ExecutionEnvironment> logger)
    {
        this.options = options;
        this.time = time;
        this.log = log;
        this.metrics = metrics;
        this.logger = logger;
        metrics.ObserveBusy(() => IsBusy);
    }

    public EnvironmentOptions Options => options;

    /// <summary>Ready for traffic: initialised (or holding an init error to report) and not draining.</summary>
    public bool IsReady
    {
        get
        {
            lock (gate)
            {
                return !draining && (initError is not null || AcceptsInvocations(generation));
            }
        }
    }

    /// <summary>
    /// <see cref="IsReady"/>, waiting up to <paramref name="wait"/> for it to turn true: the
    /// concurrency controller long-polls a starting environment's readiness this way, so it learns
    /// the moment the runtime is initialised rather than at its next probe. False at once when draining.
    /// </summary>
    public async Task<bool> WaitUntilReadyAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(wait, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        while (true)
        {
            Task changed;
            lock (gate)
            {
                if (draining || initError is not null || AcceptsInvocations(generation))
                {
                    return !draining;
                }

                changed = stateChanged.Task;
            }

            try
            {
                await changed.WaitAsync(either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return IsReady;
            }
        }
    }

    /// <summary>An invocation is in flight.</summary>
    public bool IsBusy
    {
        get
        {
            lock (gate)
            {
                return current is not null;
            }
        }
    }

    public bool IsDraining
    {
        get
        {
            lock (gate)
            {
                return draining;
            }
        }
    }

    /// <summary>Connects the process side; called once, before the first runtime starts.</summary>
    public void Attach(IRuntimeHandle handle) => runtime = handle;

    // ---------------------------------------------------------------- the invoke side

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

                changed = stateChanged.Task;
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

    private static bool AcceptsInvocations(RuntimeGeneration? candidate) =>
        candidate is { Initialised: true, Retiring: false, Exited: false };

    private Invocation AcceptLocked(InvocationRequest request, RuntimeGeneration runtimeGeneration)
    {
        var now = time.GetUtcNow();
        var deadline = now + options.Timeout;
        if (request.Deadline is { } callerDeadline && callerDeadline < deadline)
        {
            deadline = callerDeadline;
        }

        var invocation = new Invocation(request, deadline, request.TraceId ?? NewTraceId(now), time.GetTimestamp()) { Allowed = deadline - now };
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
        var error = new LambdaError($"RequestId: {request.RequestId} Error: Task timed out after 0.00 seconds", "Sandbox.Timedout");
        metrics.InvocationStarted(request.InvocationType);
        metrics.InvocationEnded(TimeSpan.Zero, FunctionErrors.Unhandled);
        return new InvocationResult
        {
            RequestId = request.RequestId,
            Payload = error.ToUtf8Json(),
            FunctionError = FunctionErrors.Unhandled,
            ErrorType = error.ErrorType,
        };
    }

    private InvocationResult TakeInitErrorLocked(InvocationRequest request)
    {
        var error = initError!;
        initError = null;
        var tail = new LogTail();
        tail.Append(error.Output);
        var started = Encoding.UTF8.GetBytes($"START RequestId: {request.RequestId} Version: {options.Version}\n");
        var ended = Encoding.UTF8.GetBytes(
            $"END RequestId: {request.RequestId}\nREPORT RequestId: {request.RequestId}\tDuration: 0.00 ms\tBilled Duration: 0 ms\tMemory Size: {options.MemorySizeMB} MB\tMax Memory Used: 0 MB\tInit Duration: {Milliseconds(error.InitDuration)} ms\tStatus: error\tError Type: {error.Error.ErrorType}\n");
        WriteLineLocked(null, started);
        WriteLineLocked(null, ended);
        tail.Append(started);
        tail.Append(ended);
        metrics.InvocationStarted(request.InvocationType);
        metrics.ColdStarted();
        metrics.InvocationEnded(TimeSpan.Zero, FunctionErrors.Unhandled);
        LogInitErrorReported(logger, request.RequestId, error.Error.ErrorType);
        return new InvocationResult
        {
            RequestId = request.RequestId,
            Payload = error.Body,
            FunctionError = FunctionErrors.Unhandled,
            ErrorType = error.Error.ErrorType,
            LogTail = tail.ToArray(),
            ColdStart = true,
            InitDuration = error.InitDuration,
        };
    }

    // ---------------------------------------------------------------- the runtime side

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
                LogInitialised(logger, runtimeGeneration.Number, Milliseconds(runtimeGeneration.InitDuration));
                SignalLocked();
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

        var error = new LambdaError(
            string.Create(CultureInfo.InvariantCulture, $"Response payload size exceeded maximum allowed payload size ({limit} bytes)."),
            "Function.ResponseSizeTooLarge");
        return FinishAsync(invocation, error.ToUtf8Json(), FunctionErrors.Unhandled, error.ErrorType, extraLogLine: null);
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
            SignalLocked();
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

    // ---------------------------------------------------------------- the process side

    /// <summary>A runtime process started: a new generation, not initialised until it calls <c>next</c>.</summary>
    public RuntimeGeneration OnRuntimeStarted()
    {
        lock (gate)
        {
            generation = new RuntimeGeneration(++generations, time.GetTimestamp());
            SignalLocked();
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
                var error = new LambdaError($"RequestId: (init) Error: Runtime exited with error: {exitDescription}", "Runtime.ExitError");
                initError = new PendingInitError(ended, error, error.ToUtf8Json(), ended.InitOutput.ToArray(), time.GetElapsedTime(ended.StartedTimestamp));
                metrics.InitFailed();
            }

            LogRuntimeExited(logger, ended.Number, exitDescription);
            SignalLocked();
        }

        if (interrupted is not null)
        {
            var error = new LambdaError($"RequestId: {interrupted.RequestId} Error: Runtime exited with error: {exitDescription}", "Runtime.ExitError");
            _ = FinishAsync(interrupted, error.ToUtf8Json(), FunctionErrors.Unhandled, error.ErrorType,
                extraLogLine: $"RequestId: {interrupted.RequestId} Error: Runtime exited with error: {exitDescription}\nRuntime.ExitError\n");
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

    // ---------------------------------------------------------------- draining

    /// <summary>Stops taking invocations and waits for the one in flight (bounded by its deadline).</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        Invocation? inFlight;
        lock (gate)
        {
            draining = true;
            inFlight = current;
            restartPermission?.TrySetResult();
            restartPermission = null;
            SignalLocked();
        }

        LogDraining(logger, inFlight?.RequestId ?? "none");
        if (inFlight is not null)
        {
            await inFlight.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // ---------------------------------------------------------------- endings

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
        var seconds = Math.Max(0, invocation.Allowed.TotalSeconds).ToString("0.00", CultureInfo.InvariantCulture);
        var error = new LambdaError($"RequestId: {invocation.RequestId} Error: Task timed out after {seconds} seconds", "Sandbox.Timedout");
        var line = $"{time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} {invocation.RequestId} Task timed out after {seconds} seconds\n";
        _ = FinishAsync(invocation, error.ToUtf8Json(), FunctionErrors.Unhandled, error.ErrorType, line);
    }

    private async Task FinishAsync(Invocation invocation, ReadOnlyMemory<byte> payload, string? functionError, string? errorType, string? extraLogLine)
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
                WriteLineLocked(invocation, Encoding.UTF8.GetBytes(extraLogLine));
            }

            WriteLineLocked(invocation, Encoding.UTF8.GetBytes(ReportLines(invocation, duration, errorType)));
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
            SignalLocked();
        }

        invocation.Completion.TrySetResult(result);
    }

    private string ReportLines(Invocation invocation, TimeSpan duration, string? errorType)
    {
        var builder = new StringBuilder(256);
        var milliseconds = duration.TotalMilliseconds;
        builder.Append(CultureInfo.InvariantCulture, $"END RequestId: {invocation.RequestId}\n");
        builder.Append(CultureInfo.InvariantCulture, $"REPORT RequestId: {invocation.RequestId}\tDuration: {milliseconds:0.00} ms\tBilled Duration: {Math.Ceiling(milliseconds):0} ms\tMemory Size: {options.MemorySizeMB} MB");
        if (runtime.PeakMemoryBytes is { } peak)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\tMax Memory Used: {peak / (1024 * 1024)} MB");
        }

        if (invocation.InitDuration is { } init)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\tInit Duration: {Milliseconds(init)} ms");
        }

        if (errorType is not null)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\tStatus: error\tError Type: {errorType}");
        }

        builder.Append('\n');
        return builder.ToString();
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
        WriteLineLocked(invocation, Encoding.UTF8.GetBytes($"START RequestId: {invocation.RequestId} Version: {options.Version}\n"));
    }

    private void WriteLineLocked(Invocation? invocation, byte[] line)
    {
        log.Write(line);
        invocation?.Tail.Append(line);
    }

    private void SignalLocked()
    {
        var signal = stateChanged;
        stateChanged = NewSignal();
        signal.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static string Milliseconds(TimeSpan duration) =>
        duration.TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>An X-Ray trace header, as Lambda passes one when the caller sent none (not sampled).</summary>
    private static string NewTraceId(DateTimeOffset now)
    {
        Span<byte> random = stackalloc byte[12];
        // Not RandomNumberGenerator: that loads OpenSSL, which a function's image need not have.
        Random.Shared.NextBytes(random);
        return string.Create(CultureInfo.InvariantCulture, $"Root=1-{now.ToUnixTimeSeconds():x8}-{Convert.ToHexStringLower(random)};Sampled=0");
    }

    /// <summary>Until the supervisor attaches: nothing to reset, flush or measure.</summary>
    private sealed class NoRuntime : IRuntimeHandle
    {
        public static NoRuntime Instance { get; } = new();

        public long? PeakMemoryBytes => null;

        public void Reset(RuntimeGeneration generation)
        {
        }

        public ValueTask FlushOutputAsync() => ValueTask.CompletedTask;
    }
}
