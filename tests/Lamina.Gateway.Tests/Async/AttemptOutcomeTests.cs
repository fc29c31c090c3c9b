using System.Text.Json;
using Lamina.Gateway.Async;
using Lamina.Gateway.Routing;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Async;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class AttemptOutcomeTests
{
    // "handled": any function error the shim names is passed through, not only the Unhandled it sends today.
    [Theory]
    [InlineData("completed", "Success", 200, null)]
    [InlineData("handled", "FunctionError", 200, "Handled")]
    [InlineData("unhandled", "FunctionError", 200, "Unhandled")]
    [InlineData("environment lost", "FunctionError", 200, "Unhandled")]
    [InlineData("queue full", "Throttled", 429, null)]
    [InlineData("throttled", "Throttled", 429, null)]
    [InlineData("failed", "SystemError", 502, null)]
    [InlineData("no environment", "SystemError", 502, null)]
    [InlineData("rejected", "Rejected", 413, null)]
    public void From_RouteResult_MappedAsTheSyncPathMapsIt(string scenario, string kind, int status, string? functionError)
    {
        RouteResult result = scenario switch
        {
            "completed" => new RouteResult.Completed("{}"u8.ToArray(), null, null),
            "handled" => new RouteResult.Completed("{}"u8.ToArray(), "Handled", null),
            "unhandled" => new RouteResult.Completed("{}"u8.ToArray(), "Unhandled", null),
            "environment lost" => new RouteResult.EnvironmentLost("pod deleted"),
            "queue full" => new RouteResult.QueueFull(),
            "throttled" => new RouteResult.Throttled(ThrottleReasons.ReservedConcurrency, "Rate Exceeded."),
            "failed" => new RouteResult.Failed("cannot start"),
            "no environment" => new RouteResult.NoEnvironment("none within 30 s"),
            _ => new RouteResult.Rejected(413, "RequestTooLargeException", "{}"u8.ToArray()),
        };

        var outcome = AttemptOutcome.From(result, "r-1");

        Assert.Equal(kind, outcome.Kind.ToString());
        Assert.Equal(status, outcome.StatusCode);
        Assert.Equal(functionError, outcome.FunctionError);
    }

    [Theory]
    [InlineData(ThrottleReasons.ReservedConcurrency)]
    [InlineData(ThrottleReasons.Concurrency)]
    public void From_Throttled_KeepsTheControllersReason(string reason)
    {
        var outcome = AttemptOutcome.From(new RouteResult.Throttled(reason, "Rate Exceeded."), "r-1");

        Assert.Equal(reason, outcome.ThrottleReason);
    }

    [Fact]
    public void From_QueueFull_ConcurrencyReasonAsTheSyncPathGives()
    {
        Assert.Equal(ThrottleReasons.Concurrency, AttemptOutcome.From(new RouteResult.QueueFull(), "r-1").ThrottleReason);
        Assert.Null(AttemptOutcome.From(new RouteResult.Completed("{}"u8.ToArray(), null, null), "r-1").ThrottleReason);
    }

    [Fact]
    public void From_EnvironmentLost_RuntimeExitErrorDocumentNamingTheRequest()
    {
        var outcome = AttemptOutcome.From(new RouteResult.EnvironmentLost("pod deleted"), "r-1");

        using var document = JsonDocument.Parse(outcome.Response);
        Assert.Equal("Runtime.ExitError", document.RootElement.GetProperty("errorType").GetString());
        Assert.Contains("RequestId: r-1", document.RootElement.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
    }
}
