using System.Net;
using System.Text;
using Lamina.Contracts.Shim;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>
/// SIGTERM (the kubelet stopping the pod) with an invocation in flight: readiness fails at once,
/// new invocations are turned away, the one in flight completes, then the shim exits 0.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class GracefulShutdownTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    // Starts a background child that outlives the invocation (and the runtime), writing to the runtime's stdout.
    private const string BackgroundWriterHandler = """
        handler() {
          ( while echo "background of $LAMBDA_REQUEST_ID"; do sleep 0.05; done ) &
          RESPONSE="$1"
        }
        """;

    [Theory]
    [MemberData(nameof(ConformanceRuntimes.NamesAndPaths), MemberType = typeof(ConformanceRuntimes))]
    public async Task Sigterm_WithAnInvocationInFlight_DrainsItThenExitsZero(string runtime, InvokePath path)
    {
        await using var shim = await (await ConformanceRuntimes.GetAsync(runtime)).StartShimAsync(timeoutSeconds: 60);
        using var witness = Witness.Start(holdStarts: true);
        var payload = witness.Payload("\"sleepMs\":100");

        var inFlight = shim.InvokeAsync(path, payload, "in-flight-at-sigterm");
        await witness.Started.WaitAsync(Deadline);
        shim.Process.Signal("TERM");
        HttpStatusCode? readyz = null;
        await Eventually.HoldsAsync(() => readyz == HttpStatusCode.ServiceUnavailable, Deadline, "/readyz answers 503 after SIGTERM",
            async () => readyz = await StatusOfAsync(shim, "/readyz"));
        var refusedContract = await shim.InvokeAsync(InvokePath.Contract, "{}", "after-sigterm");
        var refusedRie = await shim.InvokeAsync(InvokePath.Rie, "{}");
        Assert.False(inFlight.IsCompleted, "the in-flight invocation ended before it was released");
        witness.Release();
        var completed = await inFlight.WaitAsync(Deadline);
        var exitCode = await shim.Process.WaitForExitAsync(Deadline);

        ShimInvocations.AssertSucceeded(completed, Encoding.UTF8.GetBytes(payload), "in-flight-at-sigterm");
        Assert.True(refusedContract.Status == HttpStatusCode.ServiceUnavailable, $"contract path while draining: {refusedContract}");
        Assert.Equal(ShimInvokeContract.Statuses.Unavailable, refusedContract.LaminaStatus);
        Assert.True(refusedRie.Status == HttpStatusCode.BadGateway, $"RIE path while draining: {refusedRie}");
        Assert.Equal("ResourceNotReadyException", refusedRie.ServiceError);
        Assert.True(exitCode == 0, $"the shim exited with {exitCode}:\n{shim.Process.LogTail(40)}");
    }

    [Fact]
    public async Task Sigterm_RuntimeLeftAChildWritingToItsOutput_ExitsZero()
    {
        using var taskRoot = new TemporaryDirectory();
        var runtime = await ConformanceRuntimes.WithHandlerAsync(ConformanceRuntimes.Provided, taskRoot, BackgroundWriterHandler);
        await using var shim = await runtime.StartShimAsync();
        var reply = await shim.InvokeAsync(InvokePath.Contract, "{}", "starts-a-background-writer");
        await shim.WaitForLogAsync("background of starts-a-background-writer", Deadline);

        shim.Process.Signal("TERM");
        var exitCode = await shim.Process.WaitForExitAsync(Deadline);

        ShimInvocations.AssertSucceeded(reply, "{}"u8.ToArray(), "starts-a-background-writer");
        Assert.True(exitCode == 0, $"the shim exited with {exitCode}:\n{shim.Process.LogTail(40)}");
    }

    private static async Task<HttpStatusCode?> StatusOfAsync(ShimProcess shim, string path)
    {
        try
        {
            using var response = await shim.GetAdminAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
