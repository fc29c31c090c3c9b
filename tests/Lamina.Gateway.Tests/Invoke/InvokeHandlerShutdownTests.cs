using System.Diagnostics.Metrics;
using Lamina.Gateway.Auth;
using Lamina.Gateway.Hosting;
using Lamina.Gateway.Invoke;
using Lamina.Gateway.Tests.Auth;
using Lamina.Gateway.Tests.Fakes;
using Lamina.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Lamina.Gateway.Tests.Invoke;

/// <summary>The handler while the gateway stops (<see cref="GatewayDrain"/>): served and told to reconnect, then refused in Lambda's shape.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class InvokeHandlerShutdownTests : IDisposable
{
    private readonly ShutdownGate _gate = new();
    private readonly RecordingInvocationRouter _router = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly InvokeHandler _handler;

    public InvokeHandlerShutdownTests()
    {
        var meters = _services.GetRequiredService<IMeterFactory>();
        _handler = new InvokeHandler(
            new FakeRequestAuthenticator(new AuthResult.Authenticated(new Caller("alice", Namespaces: null, "team-a"))),
            new FakeFunctionCatalog(("team-a", "hello")),
            _router,
            new FakeAsyncQueue(),
            new InvokeMetrics(meters),
            Options.Create(new GatewayOptions()),
            new FakeTimeProvider(),
            NullLogger<InvokeHandler>.Instance,
            NullLoggerFactory.Instance,
            new RequestBodyReader(new BodyBudget(InvokeHandler.MaximumPayload, meters)),
            _gate);
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task HandleAsync_Running_NoConnectionClose()
    {
        var context = Invoke();

        await _handler.HandleAsync(context);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.False(context.Response.Headers.ContainsKey("Connection"));
    }

    [Fact]
    public async Task HandleAsync_Draining_ServedAndTheConnectionClosed()
    {
        _gate.BeginDraining();
        var context = Invoke();

        await _handler.HandleAsync(context);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Single(_router.Invocations);
        Assert.Equal("close", context.Response.Headers.Connection.ToString());
    }

    [Fact]
    public async Task HandleAsync_Closed_503ServiceExceptionWithoutRouting()
    {
        _gate.Close();
        var context = Invoke();

        await _handler.HandleAsync(context);

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("ServiceException", context.Response.Headers["X-Amzn-ErrorType"].ToString());
        Assert.Equal("close", context.Response.Headers.Connection.ToString());
        Assert.Empty(_router.Invocations);
        Assert.Equal(0, _gate.Running);
    }

    [Fact]
    public async Task HandleAsync_InvocationRunning_CountedUntilItEnds()
    {
        var running = -1;
        _router.OnInvoke = (_, _, _) => running = _gate.Running;
        var context = Invoke();

        await _handler.HandleAsync(context);

        Assert.Equal(1, running);
        Assert.Equal(0, _gate.Running);
    }

    private static DefaultHttpContext Invoke()
    {
        var signed = new SignedInvoke();
        var request = signed.Build();
        var context = (DefaultHttpContext)request.HttpContext;
        request.Body = new MemoryStream(signed.Body);
        context.Response.Body = new MemoryStream();
        return context;
    }
}
