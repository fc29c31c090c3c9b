using Lamina.RuntimeShim.Execution;
using Lamina.RuntimeShim.Metrics;

namespace Lamina.RuntimeShim.Supervision;

/// <summary>
/// Keeps the runtime process running for the environment: starts it (the first time before the web
/// host is even built, so their start-ups overlap), reports its output and exit, and starts it again
/// after a reset at once, after a crash with backoff, and after an init failure only once that failure
/// has been reported to an invocation.
/// </summary>
internal sealed partial class RuntimeSupervisor : BackgroundService, IRuntimeHandle
{
    // A crash-looping runtime restarts after 0.1 s, 0.2 s, … up to 5 s: fast enough that one bad
    // invocation costs little, slow enough that a broken image does not burn the node's CPU.
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaximumBackoff = TimeSpan.FromSeconds(5);

    // How long an invocation's end waits for the runtime's last output (see OutputPump).
    private static readonly TimeSpan FlushBound = TimeSpan.FromMilliseconds(100);

    // After SIGTERM at shutdown, how long the runtime has to exit before it is killed.
    private static readonly TimeSpan TerminationGrace = TimeSpan.FromSeconds(1);

    private readonly RuntimeLaunch _launch;
    private readonly RuntimeStarter _start;
    private readonly ExecutionEnvironment _environment;
    private readonly IFunctionLog _log;
    private readonly TimeProvider _time;
    private readonly ShimMetrics _metrics;
    private readonly ILogger<RuntimeSupervisor> _logger;
    private readonly Lock _gate = new();
    private IRuntimeProcess? _process;
    private RuntimeGeneration? _generation;
    private int _consecutiveFailures;
    private bool _stopping;

    public RuntimeSupervisor(RuntimeLaunch launch, ExecutionEnvironment environment, IFunctionLog log, TimeProvider time, ShimMetrics metrics, ILogger<RuntimeSupervisor> logger)
        : this(launch, RuntimeProcess.Start, environment, log, time, metrics, logger)
    {
    }

    /// <summary>With the way processes are started given (a test's fake processes).</summary>
    internal RuntimeSupervisor(RuntimeLaunch launch, RuntimeStarter start, ExecutionEnvironment environment, IFunctionLog log, TimeProvider time, ShimMetrics metrics, ILogger<RuntimeSupervisor> logger)
    {
        _launch = launch;
        _start = start;
        _environment = environment;
        _log = log;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        environment.Attach(this);
    }

    public long? PeakMemoryBytes => Current?.PeakMemoryBytes;

    /// <summary>The generation started last (running, or just exited).</summary>
    internal RuntimeGeneration? Generation
    {
        get
        {
            lock (_gate)
            {
                return _generation;
            }
        }
    }

    private IRuntimeProcess? Current
    {
        get
        {
            lock (_gate)
            {
                return _process;
            }
        }
    }

    /// <summary>Starts the first runtime now, before the host runs; <see cref="ExecuteAsync"/> takes it from there.</summary>
    public void StartFirst()
    {
        lock (_gate)
        {
            if (_generation is null)
            {
                StartLocked();
            }
        }
    }

    /// <summary>
    /// Kills the runtime of <paramref name="generation"/> if it is still the one running. A reset can
    /// arrive late: after that runtime exited by itself and its successor started (the environment
    /// makes the reset outside its lock, and nothing holds the restart back once an init error has
    /// been taken). Killing "whatever runs now" then killed the successor during its initialisation,
    /// and the next invocation got Runtime.ExitError "signal: killed" instead of its own result.
    /// </summary>
    /// <remarks>
    /// The kill happens outside <c>_gate</c>: the runtime's exit completes on the thread that reaps
    /// children, which runs the loop below (it takes <c>_gate</c>) while .NET's process bookkeeping is
    /// held, and <see cref="IRuntimeProcess.Kill"/> needs that bookkeeping too. Killing under the lock
    /// deadlocked the two (seen under load: a timed-out invocation that never answered). Killing the
    /// process object taken under the lock still kills only that runtime; one already gone is a no-op.
    /// </remarks>
    public void Reset(RuntimeGeneration generation)
    {
        IRuntimeProcess? target;
        lock (_gate)
        {
            target = _generation == generation ? _process : null;
        }

        target?.Kill();
    }

    public ValueTask FlushOutputAsync() => Current?.FlushAsync(FlushBound) ?? ValueTask.CompletedTask;

    /// <summary>At shutdown, after draining: SIGTERM, a short grace, then SIGKILL.</summary>
    public async Task StopRuntimeAsync()
    {
        IRuntimeProcess? process;
        lock (_gate)
        {
            _stopping = true;
            process = _process;
        }

        if (process is null)
        {
            return;
        }

        process.Terminate();
        try
        {
            await process.Exited.WaitAsync(TerminationGrace, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            process.Kill();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        StartFirst();
        while (!stoppingToken.IsCancellationRequested)
        {
            IRuntimeProcess? process;
            RuntimeGeneration generation;
            lock (_gate)
            {
                process = _process;
                generation = _generation!;
            }

            var exit = process is null ? "the runtime could not be started" : await process.Exited.ConfigureAwait(false);
            _environment.OnRuntimeExited(generation, exit);
            process?.Dispose();
            lock (_gate)
            {
                _process = null;
                if (_stopping)
                {
                    return;
                }
            }

            // A runtime that served an invocation works: restart it at once. One that keeps failing backs off.
            _consecutiveFailures = generation.Healthy || generation.Retiring && generation.Initialised ? 0 : _consecutiveFailures + 1;
            var reason = generation.Retiring ? (generation.Initialised ? "timeout" : "init_error") : "exit";
            await _environment.WaitForRestartPermissionAsync(stoppingToken).ConfigureAwait(false);
            var delay = Backoff(_consecutiveFailures);
            if (delay > TimeSpan.Zero)
            {
                LogBackoff(_logger, _consecutiveFailures, delay.TotalSeconds);
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
            }

            lock (_gate)
            {
                if (_stopping)
                {
                    return;
                }

                if (reason != "timeout")
                {
                    _metrics.Restarted(reason);
                }

                StartLocked();
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await StopRuntimeAsync().ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static TimeSpan Backoff(int consecutiveFailures) => consecutiveFailures <= 1
        ? TimeSpan.Zero
        : TimeSpan.FromTicks(Math.Min(MaximumBackoff.Ticks, FirstBackoff.Ticks << Math.Min(consecutiveFailures - 2, 16)));

    private void StartLocked()
    {
        _generation = _environment.OnRuntimeStarted();
        try
        {
            _process = _start(_launch, OnOutput);
            LogStarted(_logger, _generation.Number, _process.Id);
        }
        catch (RuntimeStartException e)
        {
            _process = null;
            LogStartFailed(_logger, e.Message);
            _environment.ReportInitError(new LambdaError($"RequestId: (init) Error: {e.Message}", "Runtime.InvalidEntrypoint"), null);
        }
    }

    private void OnOutput(ReadOnlyMemory<byte> chunk, bool error)
    {
        _environment.OnRuntimeOutput(chunk.Span);
        _log.Write(chunk.Span, error);
    }
}
