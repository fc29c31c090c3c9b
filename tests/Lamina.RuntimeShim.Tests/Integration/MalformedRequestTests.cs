using System.Net;
using System.Text;
using Lamina.Contracts.Shim;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>
/// Requests the shim must refuse with a 4xx, on the invoke side and on the Runtime API, without
/// disturbing the runtime: afterwards the first real invocation is still the runtime's first.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class MalformedRequestTests
{
    private enum Server
    {
        Invoke,
        RuntimeApi,
    }

    private sealed record Case(string What, Server Server, string Method, string Path, int Status, string? ErrorType, string Body = "{}", params (string Name, string Value)[] Headers);

    private const string Contract = ShimInvokeContract.Path;
    private const string Rie = "/2015-03-31/functions/function/invocations";
    private const string RuntimeApi = "/2018-06-01/runtime";

    private static readonly string TooLarge = "[" + new string('1', 6_291_456) + "]";

    private static readonly Case[] Cases =
    [
        new("contract: a payload that is not JSON", Server.Invoke, "POST", Contract, 400, "InvalidRequestContentException", """{"a":"""),
        new("contract: a JSON payload with trailing garbage", Server.Invoke, "POST", Contract, 400, "InvalidRequestContentException", "{} {}"),
        new("contract: a payload over 6 MB", Server.Invoke, "POST", Contract, 413, "RequestTooLargeException", TooLarge),
        new("contract: a request id with spaces", Server.Invoke, "POST", Contract, 400, "InvalidParameterValueException", "{}", (ShimInvokeContract.Headers.RequestId, "not a valid id")),
        new("contract: a request id of 65 characters", Server.Invoke, "POST", Contract, 400, "InvalidParameterValueException", "{}", (ShimInvokeContract.Headers.RequestId, new string('a', 65))),
        new("contract: a deadline that is not a number", Server.Invoke, "POST", Contract, 400, "InvalidParameterValueException", "{}", (ShimInvokeContract.Headers.DeadlineMs, "soon")),
        new("contract: a negative deadline", Server.Invoke, "POST", Contract, 400, "InvalidParameterValueException", "{}", (ShimInvokeContract.Headers.DeadlineMs, "-5")),
        new("contract: a deadline past year 9999", Server.Invoke, "POST", Contract, 400, "InvalidParameterValueException", "{}", (ShimInvokeContract.Headers.DeadlineMs, "253402300800000")),
        new("contract: a client context that is not base64", Server.Invoke, "POST", Contract, 400, "InvalidParameterValueException", "{}", (ShimInvokeContract.Headers.ClientContext, "not base64!")),
        new("contract: a client context that is base64 but not JSON", Server.Invoke, "POST", Contract, 400, "InvalidParameterValueException", "{}", (ShimInvokeContract.Headers.ClientContext, Convert.ToBase64String("not json"u8))),
        new("contract: a client context over 3583 bytes", Server.Invoke, "POST", Contract, 400, "InvalidParameterValueException", "{}", (ShimInvokeContract.Headers.ClientContext, Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"a\":\"" + new string('b', 3000) + "\"}")))),
        new("contract: a cognito identity that is not JSON", Server.Invoke, "POST", Contract, 400, "InvalidParameterValueException", "{}", (ShimInvokeContract.Headers.CognitoIdentity, "{nope")),
        new("contract: an unknown invocation type", Server.Invoke, "POST", Contract, 400, "InvalidParameterValueException", "{}", (ShimInvokeContract.Headers.InvocationType, "Sometimes")),
        new("contract: GET", Server.Invoke, "GET", Contract, 405, "InvalidRequestException"),
        new("RIE: a payload that is not JSON", Server.Invoke, "POST", Rie, 400, "InvalidRequestContentException", "not json"),
        new("RIE: a payload over 6 MB", Server.Invoke, "POST", Rie, 413, "RequestTooLargeException", TooLarge),
        new("RIE: an Event invocation", Server.Invoke, "POST", Rie, 400, "InvalidParameterValueException", "{}", ("X-Amz-Invocation-Type", "Event")),
        new("RIE: an unknown log type", Server.Invoke, "POST", Rie, 400, "InvalidParameterValueException", "{}", ("X-Amz-Log-Type", "Everything")),
        new("RIE: a client context that is not base64", Server.Invoke, "POST", Rie, 400, "InvalidParameterValueException", "{}", ("X-Amz-Client-Context", "###")),
        new("RIE: PUT", Server.Invoke, "PUT", Rie, 405, "InvalidRequestException"),
        new("invoke: an unknown path", Server.Invoke, "POST", "/2015-03-31/functions/invocations", 404, "ResourceNotFoundException"),
        new("invoke: the root", Server.Invoke, "GET", "/", 404, "ResourceNotFoundException"),
        new("Runtime API: a response for an unknown request id", Server.RuntimeApi, "POST", $"{RuntimeApi}/invocation/no-such-request/response", 400, "InvalidRequestID"),
        new("Runtime API: an error for an unknown request id", Server.RuntimeApi, "POST", $"{RuntimeApi}/invocation/no-such-request/error", 400, "InvalidRequestID",
            """{"errorMessage":"x","errorType":"y"}""", ("Lambda-Runtime-Function-Error-Type", "y")),
        new("Runtime API: an oversized response for an unknown request id", Server.RuntimeApi, "POST", $"{RuntimeApi}/invocation/no-such-request/response", 400, "InvalidRequestID", TooLarge),
        new("Runtime API: POST next", Server.RuntimeApi, "POST", $"{RuntimeApi}/invocation/next", 405, "InvalidRequest"),
        new("Runtime API: GET a response", Server.RuntimeApi, "GET", $"{RuntimeApi}/invocation/no-such-request/response", 405, "InvalidRequest"),
        new("Runtime API: GET init/error", Server.RuntimeApi, "GET", $"{RuntimeApi}/init/error", 405, "InvalidRequest"),
        new("Runtime API: an unknown path under the prefix", Server.RuntimeApi, "GET", $"{RuntimeApi}/invocation/nothing", 404, "InvalidRequest"),
        new("Runtime API: a request id with a slash", Server.RuntimeApi, "POST", $"{RuntimeApi}/invocation/a/b/response", 404, "InvalidRequest"),
        new("Runtime API: an unknown action", Server.RuntimeApi, "POST", $"{RuntimeApi}/invocation/no-such-request/result", 404, "InvalidRequest"),
        new("Runtime API: another API version", Server.RuntimeApi, "GET", "/2020-01-01/runtime/invocation/next", 404, "InvalidRequest"),
        new("Runtime API: the root", Server.RuntimeApi, "GET", "/", 404, "InvalidRequest"),
        new("Runtime API: init/error after initialisation", Server.RuntimeApi, "POST", $"{RuntimeApi}/init/error", 403, "InvalidStateTransition",
            """{"errorMessage":"too late","errorType":"Late"}""", ("Lambda-Runtime-Function-Error-Type", "Late")),
    ];

    [Theory]
    [MemberData(nameof(ConformanceRuntimes.Names), MemberType = typeof(ConformanceRuntimes))]
    public async Task Requests_Malformed_AreRefusedWith4xxAndTheRuntimeIsUndisturbed(string runtime)
    {
        await using var shim = await (await ConformanceRuntimes.GetAsync(runtime)).StartShimAsync();
        var failures = new List<string>();

        foreach (var item in Cases)
        {
            using var request = new HttpRequestMessage(new HttpMethod(item.Method), new Uri(item.Server == Server.Invoke ? shim.InvokeBase : shim.RuntimeApiBase, item.Path));
            if (item.Method != "GET")
            {
                request.Content = new StringContent(item.Body, Encoding.UTF8, "application/json");
            }

            foreach (var (name, value) in item.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await shim.Client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var errorType = item.Server == Server.Invoke
                ? string.Join(",", response.Headers.TryGetValues("X-Amzn-ErrorType", out var values) ? values : [])
                : ErrorTypeOf(body);
            if ((int)response.StatusCode != item.Status || errorType != item.ErrorType)
            {
                failures.Add($"{item.What}: expected {item.Status} {item.ErrorType}, got {(int)response.StatusCode} {errorType}: {body}");
            }

            if (item.Server == Server.Invoke && item.Path == Contract && response.StatusCode != HttpStatusCode.MethodNotAllowed
                && !(response.Headers.TryGetValues(ShimInvokeContract.Headers.Status, out var status) && status.Single() == ShimInvokeContract.Statuses.Rejected))
            {
                failures.Add($"{item.What}: no {ShimInvokeContract.Headers.Status}: {ShimInvokeContract.Statuses.Rejected}");
            }
        }

        var reply = await shim.InvokeAsync(InvokePath.Contract, "{}", "after-the-malformed");

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        ShimInvocations.AssertSucceeded(reply, "{}"u8.ToArray(), "after-the-malformed");
        // None of the refused requests reached the runtime: this is its first invocation.
        ShimInvocations.AssertColdStart(reply, coldStart: true);
    }

    private static string? ErrorTypeOf(string body)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("errorType", out var type) ? type.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
