using System.Diagnostics.Metrics;
using Lamina.Concurrency.V1;
using Lamina.Gateway.ConcurrencyClient;
using Lamina.Gateway.Routing;
using Lamina.Gateway.Tests.Fakes;
using Lamina.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Lamina.Gateway.Tests.Routing;

/// <summary>
/// A router as the gateway builds it (one pooled shim client) on a manual clock, fed leases by the
/// test as the concurrency controller would grant them, for fake shims on loopback. Tickets go to a
/// <see cref="RecordingOutbox"/> unless another outbox is given (the real one, for the connection's tests).
/// </summary>
internal sealed class RouterHarness : IAsyncDisposable
{
    /// <summary>The token the harness's gateway presents to shims.</summary>
    public GatewayToken Token { get; } = new() { Current = "gateway-token" };

    public static readonly FunctionKey Function = new("team-a", "hello");

    private readonly List<FakeShim> _shims = [];
    private readonly ShimClient _client;
    private readonly IMeterFactory _meterFactory = TestMeters.Factory();
    private int _requests;

    public RouterHarness(Action<RoutingOptions>? configure = null, Action<ConcurrencyClientOptions>? controller = null, IConcurrencyOutbox? outbox = null)
    {
        var options = new RoutingOptions();
        configure?.Invoke(options);
        Options = options;
        var controllerOptions = new ConcurrencyClientOptions();
        controller?.Invoke(controllerOptions);
        ConcurrencyClientOptions = controllerOptions;
        ConcurrencyOutbox = outbox ?? Outbox;
        Meters = new MetricCollectors(_meterFactory);
        _client = new ShimClient(Microsoft.Extensions.Options.Options.Create(options), Time, Token);
        Router = new InvocationRouter(
            _client,
            ConcurrencyOutbox,
            Catalog,
            Microsoft.Extensions.Options.Options.Create(options),
            Microsoft.Extensions.Options.Options.Create(controllerOptions),
            Time,
            _meterFactory,
            NullLogger<InvocationRouter>.Instance);
    }

    public RoutingOptions Options { get; }

    public ConcurrencyClientOptions ConcurrencyClientOptions { get; }

    public FakeTimeProvider Time { get; } = new();

    public MetricCollectors Meters { get; }

    /// <summary>Tickets and releases, unless the harness was given another outbox.</summary>
    public RecordingOutbox Outbox { get; } = new();

    /// <summary>The outbox the router uses.</summary>
    public IConcurrencyOutbox ConcurrencyOutbox { get; }

    public FakeFunctionCatalog Catalog { get; } = new((Function.Namespace, Function.Name));

    public InvocationRouter Router { get; }

    /// <summary>Starts a fake shim and grants a lease on it that nobody waits for: a warm, idle environment.</summary>
    public async Task<FakeShim> AddIdleShimAsync(string pod, bool provisioned = false)
    {
        var shim = await StartShimAsync();
        Router.Grant(RecordingOutbox.UnknownTicket, LeaseOn(shim, pod, provisioned));
        return shim;
    }

    /// <summary>Starts a fake shim and grants its lease for <paramref name="ticket"/>, as the controller answers a ticket.</summary>
    public async Task<FakeShim> GrantShimAsync(ulong ticket, string pod, bool provisioned = false)
    {
        var shim = await StartShimAsync();
        Grant(ticket, LeaseOn(shim, pod, provisioned));
        return shim;
    }

    /// <summary>Grants <paramref name="lease"/> for <paramref name="ticket"/>.</summary>
    public void Grant(ulong ticket, Lease lease)
    {
        Outbox.Answered(ticket);
        Router.Grant(ticket, lease);
    }

    /// <summary>Refuses <paramref name="ticket"/>.</summary>
    public void Refuse(ulong ticket, RefusalReason reason, string message)
    {
        Outbox.Answered(ticket);
        Router.Refuse(ticket, reason, message);
    }

    /// <summary>Starts a fake shim that no lease points at yet.</summary>
    public async Task<FakeShim> StartShimAsync()
    {
        var shim = await FakeShim.StartAsync();
        _shims.Add(shim);
        return shim;
    }

    /// <summary>A lease of <see cref="Function"/> on <paramref name="shim"/>, named after the pod: <c>lease-&lt;pod&gt;</c>.</summary>
    public static Lease LeaseOn(FakeShim shim, string pod, bool provisioned = false) => LeaseAt($"127.0.0.1:{shim.Port}", pod, provisioned);

    /// <summary>A lease of <see cref="Function"/> at any address.</summary>
    public static Lease LeaseAt(string address, string pod, bool provisioned = false, FunctionKey? function = null) => new()
    {
        LeaseId = $"lease-{pod}",
        Function = (function ?? Function).ToRef(),
        Pod = pod,
        Address = address,
        Provisioned = provisioned,
    };

    /// <summary>An invocation with a fresh request id and a small JSON event.</summary>
    public ShimRequest Request(string payload = """{"n":1}""") => new()
    {
        RequestId = $"req-{Interlocked.Increment(ref _requests)}",
        Payload = System.Text.Encoding.UTF8.GetBytes(payload),
    };

    public Task<RouteResult> InvokeAsync(CancellationToken cancellationToken = default) =>
        Router.InvokeAsync(Function, Request(), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Router.Dispose();
        _client.Dispose();
        foreach (var shim in _shims)
        {
            await shim.DisposeAsync();
        }

        Meters.Dispose();
        _meterFactory.Dispose();
    }
}
