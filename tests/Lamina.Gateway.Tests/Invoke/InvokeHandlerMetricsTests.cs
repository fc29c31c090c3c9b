using Lamina.Gateway.Auth;
using Lamina.Gateway.Invoke;
using Lamina.Gateway.Routing;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Invoke;

/// <summary>The invoke metrics: what is counted, with which labels, and that a request that invokes nothing records nothing.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class InvokeHandlerMetricsTests : InvokeHandlerTestsBase
{
    // ---------------------------------------------------------------- metrics

    [Fact]
    public async Task HandleAsync_Success_CountsTheInvocationAndItsDurationWithFunctionLabelsOnly()
    {
        _router.OnInvoke = (_, _, _) => _time.Advance(TimeSpan.FromMilliseconds(250));

        await _handler.HandleAsync(Post("team-b.billing", "{}"));

        var invocation = Assert.Single(_meters.Of("lamina_invocations_total"));
        Assert.Equal(1, invocation.Value);
        Assert.Equal(Tags(("function", "billing"), ("invocation_type", "RequestResponse"), ("namespace", "team-b")), invocation.Tags);
        var duration = Assert.Single(_meters.Of("lamina_duration_seconds"));
        Assert.Equal(0.25, duration.Value, precision: 6);
        Assert.Equal(Tags(("function", "billing"), ("namespace", "team-b")), duration.Tags);
        Assert.Empty(_meters.Of("lamina_errors_total"));
        Assert.Empty(_meters.Of("lamina_throttles_total"));
    }

    // The gateway passes on whatever X-Amz-Function-Error the shim said. Handled, which today's shim
    // never sends (every function error is Unhandled, as in Lambda), is a value the gateway never makes
    // itself, so it shows the value is passed through rather than replaced.
    [Theory]
    [InlineData("Handled")]
    [InlineData("Unhandled")]
    public async Task HandleAsync_FunctionError_CountedByErrorType(string functionError)
    {
        _router.Result = new RouteResult.Completed("{}"u8.ToArray(), functionError, LogResult: null);

        await _handler.HandleAsync(Post("orders", "{}"));

        var error = Assert.Single(_meters.Of("lamina_errors_total"));
        Assert.Equal(1, error.Value);
        Assert.Equal(Tags(("error_type", functionError), ("function", "orders"), ("namespace", "team-a")), error.Tags);
        Assert.Single(_meters.Of("lamina_invocations_total"));
        Assert.Single(_meters.Of("lamina_duration_seconds"));
    }

    [Fact]
    public async Task HandleAsync_QueueFull_CountedAsAThrottleByReason()
    {
        _router.Result = new RouteResult.QueueFull();

        await _handler.HandleAsync(Post("orders", "{}"));

        var throttle = Assert.Single(_meters.Of("lamina_throttles_total"));
        Assert.Equal(1, throttle.Value);
        Assert.Equal(Tags(("function", "orders"), ("namespace", "team-a"), ("reason", "ConcurrentInvocationLimitExceeded")), throttle.Tags);
        Assert.Empty(_meters.Of("lamina_errors_total"));
    }

    [Fact]
    public async Task HandleAsync_Throttled_CountedAsAThrottleByTheControllersReason()
    {
        _router.Result = new RouteResult.Throttled("ReservedFunctionConcurrentInvocationLimitExceeded", "Rate Exceeded.");

        await _handler.HandleAsync(Post("orders", "{}"));

        var throttle = Assert.Single(_meters.Of("lamina_throttles_total"));
        Assert.Equal(Tags(("function", "orders"), ("namespace", "team-a"), ("reason", "ReservedFunctionConcurrentInvocationLimitExceeded")), throttle.Tags);
        Assert.Empty(_meters.Of("lamina_errors_total"));
    }

    [Fact]
    public async Task HandleAsync_Failed_CountedAsAServiceError()
    {
        _router.Result = new RouteResult.Failed("cannot start");

        await _handler.HandleAsync(Post("orders", "{}"));

        var error = Assert.Single(_meters.Of("lamina_errors_total"));
        Assert.Equal(Tags(("error_type", "Service"), ("function", "orders"), ("namespace", "team-a")), error.Tags);
        Assert.Empty(_meters.Of("lamina_throttles_total"));
    }

    [Fact]
    public async Task HandleAsync_NoEnvironment_CountedAsAServiceError()
    {
        _router.Result = new RouteResult.NoEnvironment("none free");

        await _handler.HandleAsync(Post("orders", "{}"));

        var error = Assert.Single(_meters.Of("lamina_errors_total"));
        Assert.Equal(Tags(("error_type", "Service"), ("function", "orders"), ("namespace", "team-a")), error.Tags);
    }

    [Fact]
    public async Task HandleAsync_EnvironmentLost_CountedAsUnhandled()
    {
        _router.Result = new RouteResult.EnvironmentLost("the pod was deleted");

        await _handler.HandleAsync(Post("orders", "{}"));

        var error = Assert.Single(_meters.Of("lamina_errors_total"));
        Assert.Equal(Tags(("error_type", "Unhandled"), ("function", "orders"), ("namespace", "team-a")), error.Tags);
    }

    [Fact]
    public async Task HandleAsync_RouterThrows_CountedAsAServiceErrorWithItsDuration()
    {
        _router.OnInvoke = (_, _, _) => throw new InvalidOperationException("bug");

        await _handler.HandleAsync(Post("orders", "{}"));

        var error = Assert.Single(_meters.Of("lamina_errors_total"));
        Assert.Equal(Tags(("error_type", "Service"), ("function", "orders"), ("namespace", "team-a")), error.Tags);
        Assert.Single(_meters.Of("lamina_duration_seconds"));
    }

    public static TheoryData<string> UnrecordedRequests => new()
    {
        "unknown function",
        "unknown qualifier",
        "namespace not granted",
        "namespace not granted, function missing",
        "authentication denied",
        "invalid json",
        "dry run",
        "event",
        "too large",
    };

    [Theory]
    [MemberData(nameof(UnrecordedRequests))]
    public async Task HandleAsync_RequestThatInvokesNothing_RecordsNoMeasurement(string scenario)
    {
        var context = scenario switch
        {
            "unknown function" => Post("team-b.nothing", "{}"),
            "unknown qualifier" => Post("orders:3", "{}"),
            "namespace not granted" => Post("team-c.payroll", "{}"),
            "namespace not granted, function missing" => Post("team-c.nothing", "{}"),
            "invalid json" => Post("orders", "{"),
            "dry run" => Post("orders", "{}", ("X-Amz-Invocation-Type", "DryRun")),
            "event" => Post("orders", "{}", ("X-Amz-Invocation-Type", "Event")),
            "too large" => Post("orders", JsonString(InvokeHandler.MaximumPayload + 1)),
            _ => Post("orders", "{}"),
        };
        if (scenario == "authentication denied")
        {
            _authenticator.Result = new AuthResult.Denied("InvalidSignatureException", "no");
        }

        await _handler.HandleAsync(context);

        Assert.NotEqual(200, context.Response.StatusCode);
        Assert.Empty(_meters.All);
    }
}
