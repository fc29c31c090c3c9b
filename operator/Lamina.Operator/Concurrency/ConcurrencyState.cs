using Lamina.Concurrency.V1;

namespace Lamina.Operator.Concurrency;

/// <summary>
/// The concurrency controller's state: functions, their environments, the leases gateways hold on
/// them, tickets waiting for an environment and reclaim rounds, under one lock and without I/O (the
/// gRPC service, the environment tracker and the scale writer feed it and carry out what it decides).
/// The rules are in docs/concurrency.md; the one that matters most: a function never has more leases
/// than its cap, and one lease runs at most one invocation, so its executions never exceed the cap.
/// </summary>
/// <remarks>
/// One type and one lock because the cap is an invariant across everything here: a grant for one
/// gateway, a release by another and a pod going away must be seen in one order, or two gateways
/// could each be granted the last lease. The type is split into partial files, one concern each:
/// this file (the shared state and its lookups), <c>.Leadership</c> (start, stop, learning),
/// <c>.Functions</c> (Functions and their environments), <c>.Pool</c> (the unreserved pool),
/// <c>.Gateways</c> (streams: hello, messages, outbox), <c>.Grants</c> (answering tickets, reclaim
/// rounds), <c>.Leases</c> (adopting, freeing and revoking leases), <c>.Scaling</c> (the poke and
/// the autoscaler), <c>.Tick</c> (what time does) and <c>.Reading</c> (views for status and
/// gauges). Arithmetic of one function alone lives on <see cref="FunctionEntry"/>; the lease table
/// is <see cref="LeaseBook"/>.
/// </remarks>
internal sealed partial class ConcurrencyState
{
    private readonly Lock _gate = new();
    private readonly ConcurrencyOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<FunctionId, FunctionEntry> _functions = [];
    private readonly LeaseBook _leases = new();
    private readonly Dictionary<string, GatewaySession> _sessions = new(StringComparer.Ordinal);
    private readonly Action<FunctionId, int> _scale;
    private readonly Action<FunctionId> _statusChanged;
    private readonly Action<FunctionId, ScaleEvent>? _decided;
    private int _unreservedCapacity;
    private ulong _nextRound;
    private long _nextTicket;
    private long _nextConnection;
    private DateTimeOffset _learningUntil;
    private bool _leading;

    /// <param name="options">Pool, TTLs and windows.</param>
    /// <param name="time">The clock (a fake one in tests).</param>
    /// <param name="scale">Called (under the lock: only queue the work) with a function's new on-demand replicas.</param>
    /// <param name="statusChanged">Called (under the lock) when a function's <see cref="FunctionScale"/> changed.</param>
    /// <param name="decided">Called (under the lock) with each decision that changed a function's desired environments.</param>
    public ConcurrencyState(ConcurrencyOptions options, TimeProvider time, Action<FunctionId, int> scale, Action<FunctionId> statusChanged, Action<FunctionId, ScaleEvent>? decided = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time;
        _scale = scale;
        _statusChanged = statusChanged;
        _decided = decided;
        _unreservedCapacity = options.PoolSize;
    }

    /// <summary>The function's entry, made on first mention (a ticket or a pod may come before its Function).</summary>
    private FunctionEntry Function(FunctionId id)
    {
        if (!_functions.TryGetValue(id, out var function))
        {
            function = new FunctionEntry(id, new FunctionAutoscaler(_options));
            _functions[id] = function;
        }

        return function;
    }

    private static FunctionId IdOf(FunctionRef function) => new(function.Namespace, function.Name);

    private void StatusChanged(FunctionEntry function)
    {
        if (_leading && function.Decided)
        {
            _statusChanged(function.Id);
        }
    }
}
