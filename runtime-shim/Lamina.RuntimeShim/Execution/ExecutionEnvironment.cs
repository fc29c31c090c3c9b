using Lamina.RuntimeShim.Metrics;

namespace Lamina.RuntimeShim.Execution;

/// <summary>
/// One Lambda execution environment: the meeting point of the invoke side (the gateway's requests) and
/// the runtime side (the Runtime API calls of the runtime process). It holds at most one invocation at
/// a time, hands it to the runtime's long-polling <c>next</c>, enforces its deadline, and turns every
/// way an invocation can end (result, error, timeout, the runtime exiting, an init failure) into one
/// <see cref="InvocationResult"/>. All state changes happen under one lock; nothing blocks under it.
/// One type over one lock, in a file per side that changes its state: this one (readiness, draining),
/// <c>.Invoke.cs</c> (the gateway's invocations), <c>.RuntimeApi.cs</c> (the runtime's calls),
/// <c>.Process.cs</c> (the supervisor's news of the runtime process) and <c>.Endings.cs</c> (how an
/// invocation ends). The log lines and platform errors it writes are <see cref="PlatformLogLines"/> and
/// <see cref="PlatformErrors"/>.
/// </summary>
internal sealed partial class ExecutionEnvironment
{
    private readonly Lock gate = new();
    private readonly EnvironmentOptions options;
    private readonly TimeProvider time;
    private readonly IFunctionLog log;
    private readonly ShimMetrics metrics;
    private readonly ILogger<ExecutionEnvironment> logger;
    private readonly ChangeSignal stateChanged = new();
    private IRuntimeHandle runtime = NoRuntime.Instance;

    private RuntimeGeneration? generation;
    private int generations;
    private Invocation? current;
    private TaskCompletionSource<Invocation>? nextWaiter;
    private PendingInitError? initError;
    private bool draining;
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

                changed = stateChanged.Next;
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
            stateChanged.Pulse();
        }

        LogDraining(logger, inFlight?.RequestId ?? "none");
        if (inFlight is not null)
        {
            await inFlight.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool AcceptsInvocations(RuntimeGeneration? candidate) =>
        candidate is { Initialised: true, Retiring: false, Exited: false };

    /// <summary>A line of the shim's own into the function's log, and into the invocation's tail when there is one.</summary>
    private void WriteLineLocked(Invocation? invocation, byte[] line)
    {
        log.Write(line);
        invocation?.Tail.Append(line);
    }
}
