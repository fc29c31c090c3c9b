using System.Text;
using Lamina.Gateway.Routing;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Routing;

/// <summary>
/// The router fed leases by the test, against fake shims on real Kestrel servers, on a manual clock: the
/// warm path here, the rest in a file per concern beside this one.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed partial class InvocationRouterTests
{
    private static readonly FunctionKey Function = RouterHarness.Function;

    /// <summary>How long a test waits for something the router does on its own (an HTTP round trip, not a timer).</summary>
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);

    // ---------------------------------------------------------------- the warm path

    [Fact]
    public async Task InvokeAsync_IdleEnvironment_ShimContractSentAndCompletedAnswerReturned()
    {
        await using var harness = new RouterHarness();
        var shim = await harness.AddIdleShimAsync("hello-1");
        // The gateway passes on whatever X-Amz-Function-Error the shim said. Handled, which today's shim
        // never sends (every function error is Unhandled, as in Lambda), is a value the gateway never makes
        // itself, so it shows the value is passed through rather than replaced.
        shim.Script(new ShimReply.Completed("""{"answer":42}""", FunctionError: "Handled", LogResult: "U1RBUlQgLi4u"));
        var request = harness.Request("""{"question":"?"}""") with
        {
            ClientContext = "eyJjdXN0b20iOnt9fQ==",
            TraceId = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
            LogTail = true,
        };

        var result = await harness.Router.InvokeAsync(Function, request, CancellationToken.None);

        var completed = Assert.IsType<RouteResult.Completed>(result);
        Assert.Equal("""{"answer":42}""", Encoding.UTF8.GetString(completed.Payload.Span));
        Assert.Equal("Handled", completed.FunctionError);
        Assert.Equal("U1RBUlQgLi4u", completed.LogResult);
        var received = Assert.Single(shim.Received);
        Assert.Equal("/lamina/v1/invoke", received.Path);
        Assert.Equal("""{"question":"?"}""", received.Body);
        Assert.Equal(request.RequestId, received.Header("Lamina-Request-Id"));
        Assert.Equal("eyJjdXN0b20iOnt9fQ==", received.Header("Lamina-Client-Context"));
        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", received.Header("Lamina-Trace-Id"));
        Assert.Equal("Tail", received.Header("Lamina-Log-Type"));
        Assert.Equal("RequestResponse", received.Header("Lamina-Invocation-Type"));
        Assert.Equal("gateway-token", received.Header("Lamina-Token"));
    }

    [Fact]
    public async Task InvokeAsync_IdleEnvironment_NoTicketAskedAndTheLeaseKept()
    {
        await using var harness = new RouterHarness();
        await harness.AddIdleShimAsync("hello-1");

        Assert.IsType<RouteResult.Completed>(await harness.InvokeAsync());

        Assert.Empty(harness.Outbox.Acquired);
        Assert.Empty(harness.Outbox.Released);
        Assert.Equal(1, harness.Router.Leases(Function));
        Assert.Equal(1, harness.Router.IdleEnvironments(Function));
    }

    [Fact]
    public async Task InvokeAsync_PlainRequest_NoOptionalHeadersAndNoFunctionError()
    {
        await using var harness = new RouterHarness();
        var shim = await harness.AddIdleShimAsync("hello-1");

        var completed = Assert.IsType<RouteResult.Completed>(await harness.InvokeAsync());

        Assert.Null(completed.FunctionError);
        Assert.Null(completed.LogResult);
        var received = Assert.Single(shim.Received);
        Assert.Null(received.Header("Lamina-Log-Type"));
        Assert.Null(received.Header("Lamina-Client-Context"));
        Assert.Null(received.Header("Lamina-Trace-Id"));
    }

    [Fact]
    public async Task InvokeAsync_OneAfterAnother_MostRecentlyUsedEnvironmentAgain()
    {
        await using var harness = new RouterHarness();
        var first = await harness.AddIdleShimAsync("hello-1");
        var second = await harness.AddIdleShimAsync("hello-2");

        for (var i = 0; i < 3; i++)
        {
            Assert.IsType<RouteResult.Completed>(await harness.InvokeAsync());
        }

        Assert.Equal(3, first.Received.Count);
        Assert.Empty(second.Received);
        Assert.Equal(2, harness.Router.IdleEnvironments(Function));
    }

    private static string Payload(RouteResult result) =>
        Encoding.UTF8.GetString(Assert.IsType<RouteResult.Completed>(result).Payload.Span);
}
