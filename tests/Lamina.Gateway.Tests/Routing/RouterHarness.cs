using Lamina.Gateway.Routing;
using Lamina.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lamina.Gateway.Tests.Routing;

/// <summary>
/// A router as the gateway builds it (registry, one pooled shim client) on a manual clock, with
/// fake shims that the registry learns of as ready pods at 127.0.0.1 and the shim's port.
/// </summary>
internal sealed class RouterHarness : IAsyncDisposable
{
    public static readonly FunctionKey Function = new("team-a", "hello");

    private readonly List<FakeShim> _shims = [];
    private readonly ShimClient _client;
    private int _requests;

    public RouterHarness(Action<RoutingOptions>? configure = null)
    {
        var options = new RoutingOptions();
        configure?.Invoke(options);
        Options = options;
        Registry = new EnvironmentRegistry(Microsoft.Extensions.Options.Options.Create(options), NullLogger<EnvironmentRegistry>.Instance);
        _client = new ShimClient(Microsoft.Extensions.Options.Options.Create(options), Time);
        Router = new InvocationRouter(Registry, _client, Microsoft.Extensions.Options.Options.Create(options), Time, Meters, NullLogger<InvocationRouter>.Instance);
    }

    public RoutingOptions Options { get; }

    public ManualTimeProvider Time { get; } = new();

    public TestMeterFactory Meters { get; } = new();

    public EnvironmentRegistry Registry { get; }

    public InvocationRouter Router { get; }

    /// <summary>Starts a fake shim and makes it a ready pod of <see cref="Function"/> named <paramref name="pod"/>.</summary>
    public async Task<FakeShim> AddShimAsync(string pod)
    {
        var shim = await StartShimAsync();
        Registry.OnAdd(TestPods.Of(pod, shim.Port));
        return shim;
    }

    /// <summary>Starts a fake shim that no pod points at yet.</summary>
    public async Task<FakeShim> StartShimAsync()
    {
        var shim = await FakeShim.StartAsync();
        _shims.Add(shim);
        return shim;
    }

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
    }
}
