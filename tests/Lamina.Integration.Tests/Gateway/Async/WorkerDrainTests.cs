using Lamina.Concurrency.V1;
using Lamina.Gateway.Async;
using Lamina.Gateway.ConcurrencyClient;
using Lamina.Gateway.Hosting;
using Lamina.Gateway.Routing;
using Lamina.Gateway.Worker;
using Lamina.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Lamina.Integration.Tests.Gateway.Async;

/// <summary>
/// A worker replica's stop (<see cref="WorkerDrain"/>) against a real redis-server: on SIGTERM it
/// stops reading and claiming at once, lets the running event finish, and only then gives its leases
/// back; an event that outlives the shutdown timeout is left pending for another replica.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class WorkerDrainTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly FunctionKey Orders = new("team-a", "orders");

    private readonly StaticFunctionCatalog _catalog = new();
    private readonly ScriptedRouter _router = new();
    private RedisServer _redis = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _catalog.Add(Orders.Namespace, Orders.Name);
    }

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task Stopping_EventRunning_StopsReadingAtOnceThenTheEventFinishesThenLeasesGoBack()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var order = new List<string>();
        _router.Behaviour = async (_, _, _) =>
        {
            await release.Task;
            lock (order)
            {
                order.Add("event finished");
            }

            return new RouteResult.Completed("{}"u8.ToArray(), FunctionError: null, LogResult: null);
        };
        var leases = new RecordingLeaseHolder(() =>
        {
            lock (order)
            {
                order.Add("leases left");
            }
        });
        await using var worker = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);
        await worker.EnqueueAsync(Orders, """{"first":true}""");
        await Eventually.HoldsAsync(() => _router.Calls.Count == 1, Deadline, "the first event runs");

        var stopping = Drain(worker, TimeSpan.FromSeconds(25), leases).StoppingAsync(CancellationToken.None);

        // Before the running event ends, the worker reads and claims nothing more.
        await Eventually.HoldsAsync(() => !worker.Worker.Reading, Deadline, "the worker stops reading while its event still runs");
        Assert.False(stopping.IsCompleted);
        await worker.EnqueueAsync(Orders, """{"second":true}""");
        release.SetResult();
        await stopping.WaitAsync(Deadline);

        Assert.Equal(["event finished", "leases left"], order);
        Assert.Equal(1, leases.Leaves);
        Assert.Single(_router.Calls);
        var db = await worker.DatabaseAsync();
        var pending = await db.StreamPendingAsync(AsyncKeys.Events(Orders), AsyncKeys.Group);
        Assert.Equal(0, pending.PendingMessageCount);
        var left = Assert.Single(await db.StreamRangeAsync(AsyncKeys.Events(Orders)));
        Assert.Contains(left.Values, field => field.Value.ToString().Contains("second", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stopping_EventOutlivesTheTimeout_LeftPendingAndLeasesStillGoBack()
    {
        _router.Behaviour = async (_, _, cancellationToken) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            throw new InvalidOperationException("unreachable");
        };
        await using var worker = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);
        await worker.EnqueueAsync(Orders);
        await Eventually.HoldsAsync(() => _router.Calls.Count == 1, Deadline, "the event runs");

        // One second for the event, after the allowance kept for the leases' release.
        await Drain(worker, GatewayShutdownOptions.ReleaseAllowance + TimeSpan.FromSeconds(1)).StoppingAsync(CancellationToken.None).WaitAsync(Deadline);

        Assert.Equal(1, _leases.Leaves);
        var db = await worker.DatabaseAsync();
        await Eventually.HoldsAsync(() => worker.Worker.Running == 0, Deadline, "the aborted event ends");
        var pending = await db.StreamPendingAsync(AsyncKeys.Events(Orders), AsyncKeys.Group);
        Assert.Equal(1, pending.PendingMessageCount);
    }

    private readonly RecordingLeaseHolder _leases = new(() => { });

    private WorkerDrain Drain(AsyncHarness worker, TimeSpan timeout, RecordingLeaseHolder? leases = null) => new(
        worker.Worker,
        leases ?? _leases,
        new ConcurrencyOutbox(),
        Options.Create(new GatewayShutdownOptions { Timeout = timeout, DrainDelay = TimeSpan.Zero }),
        TimeProvider.System,
        NullLogger<WorkerDrain>.Instance);

    /// <summary>Counts <see cref="ILeaseHolder.Leave"/>; the rest of routing is not needed by a drain.</summary>
    private sealed class RecordingLeaseHolder(Action onLeave) : ILeaseHolder
    {
        private int _leaves;

        public int Leaves => Volatile.Read(ref _leaves);

        public void Leave()
        {
            Interlocked.Increment(ref _leaves);
            onLeave();
        }

        public void Grant(ulong ticket, Lease lease) => throw new NotSupportedException();

        public void Refuse(ulong ticket, RefusalReason reason, string message) => throw new NotSupportedException();

        public void Revoke(string leaseId) => throw new NotSupportedException();

        public Reclaimed Reclaim(ulong round, FunctionKey function, int count) => throw new NotSupportedException();

        public void ExpireLeases() => throw new NotSupportedException();

        public IReadOnlyList<Lease> HeldLeases() => [];

        public IReadOnlyList<Acquire> PendingTickets() => [];

        public IReadOnlyList<Demand> TakeDemand() => [];
    }
}
