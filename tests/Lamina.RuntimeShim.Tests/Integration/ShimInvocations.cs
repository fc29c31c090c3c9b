using System.Net;
using System.Text;
using Lamina.Contracts.Shim;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>Invoking a shim the way each caller does, and the assertions every scenario shares.</summary>
internal static class ShimInvocations
{
    /// <summary>How long a shim may take to become ready again after a reset (a runtime's cold start, on a busy machine).</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Invokes through <paramref name="path"/> with the log tail asked for. <paramref name="requestId"/>
    /// goes in Lamina-Request-Id on the contract path; RIE's path has no way to give one.
    /// </summary>
    public static async Task<InvokeReply> InvokeAsync(this ShimProcess shim, InvokePath path, byte[] payload, string? requestId = null, params (string Name, string Value)[] headers)
    {
        ArgumentNullException.ThrowIfNull(shim);
        var all = new List<(string Name, string Value)>(headers);
        if (path == InvokePath.Contract)
        {
            all.Add((ShimInvokeContract.Headers.LogType, "Tail"));
            if (requestId is not null)
            {
                all.Add((ShimInvokeContract.Headers.RequestId, requestId));
            }
        }
        else
        {
            all.Add(("X-Amz-Log-Type", "Tail"));
        }

        using var response = await shim.PostAsync(path == InvokePath.Contract ? shim.ContractUri : shim.RieUri, payload, [.. all]).ConfigureAwait(false);
        return await InvokeReply.ReadAsync(path, response).ConfigureAwait(false);
    }

    public static Task<InvokeReply> InvokeAsync(this ShimProcess shim, InvokePath path, string payload, string? requestId = null, params (string Name, string Value)[] headers) =>
        shim.InvokeAsync(path, Encoding.UTF8.GetBytes(payload), requestId, headers);

    /// <summary>
    /// After a reset the contract path answers 503 until the new runtime has initialised (the gateway
    /// tries another environment); a test that wants this environment waits for readiness first.
    /// </summary>
    public static Task WaitUntilReadyAgainAsync(this ShimProcess shim) => shim.WaitUntilReadyAsync(ReadyTimeout);

    /// <summary>A completed invocation: 200 and, on the contract path, Lamina-Status completed and the request id given.</summary>
    public static void AssertCompleted(InvokeReply reply, string? requestId = null)
    {
        ArgumentNullException.ThrowIfNull(reply);
        Assert.True(reply.Status == HttpStatusCode.OK, $"expected 200, got {reply}");
        Assert.False(string.IsNullOrEmpty(reply.RequestId), $"no request id header: {reply}");
        if (reply.Path == InvokePath.Contract)
        {
            Assert.Equal(ShimInvokeContract.Statuses.Completed, reply.LaminaStatus);
            if (requestId is not null)
            {
                Assert.Equal(requestId, reply.RequestId);
            }
        }
        else
        {
            Assert.Equal("$LATEST", reply.Header("X-Amz-Executed-Version"));
        }

        Assert.StartsWith($"REPORT RequestId: {reply.RequestId}\t", reply.ReportLine, StringComparison.Ordinal);
    }

    /// <summary>A success: completed, no function error, the payload byte for byte.</summary>
    public static void AssertSucceeded(InvokeReply reply, byte[] expectedPayload, string? requestId = null)
    {
        AssertCompleted(reply, requestId);
        Assert.True(reply.FunctionError is null, $"expected no function error: {reply}");
        Assert.True(expectedPayload.AsSpan().SequenceEqual(reply.Body), $"the payload came back changed: {reply}");
    }

    /// <summary>A function error of <paramref name="functionError"/> (Unhandled) and <paramref name="errorType"/>.</summary>
    public static void AssertFunctionError(InvokeReply reply, string functionError, string errorType, string messageContains)
    {
        AssertCompleted(reply);
        Assert.True(functionError == reply.FunctionError, $"expected {functionError}: {reply}");
        if (reply.Path == InvokePath.Contract)
        {
            Assert.True(errorType == reply.Header(ShimInvokeContract.Headers.FunctionErrorType), $"expected {ShimInvokeContract.Headers.FunctionErrorType}: {errorType}: {reply}");
        }

        Assert.True(errorType == reply.Error.Type, $"expected errorType {errorType}: {reply}");
        Assert.True((reply.Error.Message ?? string.Empty).Contains(messageContains, StringComparison.Ordinal), $"expected an errorMessage with '{messageContains}': {reply}");
        Assert.True(reply.ReportLine.EndsWith($"\tStatus: error\tError Type: {errorType}", StringComparison.Ordinal), $"expected a REPORT line with Error Type: {errorType}: {reply}");
    }

    /// <summary>
    /// Cold start or warm, as both paths show it: the REPORT line has Init Duration only on a cold start;
    /// the contract path also says so in Lamina-Cold-Start and Lamina-Init-Duration-Ms.
    /// </summary>
    public static void AssertColdStart(InvokeReply reply, bool coldStart)
    {
        ArgumentNullException.ThrowIfNull(reply);
        Assert.True(coldStart == reply.ReportLine.Contains("\tInit Duration: ", StringComparison.Ordinal),
            $"expected a {(coldStart ? "cold" : "warm")} start in the REPORT line: {reply}");
        if (reply.Path == InvokePath.Contract)
        {
            Assert.Equal(coldStart ? "true" : "false", reply.Header(ShimInvokeContract.Headers.ColdStart));
            Assert.True(coldStart == reply.Header(ShimInvokeContract.Headers.InitDurationMs) is not null, $"Lamina-Init-Duration-Ms on a {(coldStart ? "cold" : "warm")} start: {reply}");
        }
    }
}
