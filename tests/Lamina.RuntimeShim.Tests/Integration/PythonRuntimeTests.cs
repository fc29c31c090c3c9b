using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lamina.Contracts.Shim;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>
/// Lamina's Python runtime interface client (runtimes/python) behind the real shim: results as Lambda's
/// Python runtime encodes them, its error document, the context object, logging, layers on sys.path and one
/// kept-alive connection to the Runtime API.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed partial class PythonRuntimeTests
{
    private const string Results = """
        def as_dict(event, context):
            return {"ok": True, "n": event["n"], "name": "caf\u00e9"}

        def as_str(event, context):
            return 'say "hi"'

        def as_bytes(event, context):
            return b"\x00raw bytes\xff"

        def as_none(event, context):
            return None

        def as_set(event, context):
            return {1, 2}
        """;

    [Theory]
    [InlineData("app.as_dict", """{"ok": true, "n": 7, "name": "caf\u00e9"}""")]
    [InlineData("app.as_str", "\"say \\\"hi\\\"\"")]
    [InlineData("app.as_none", "null")]
    public async Task Invoke_HandlerReturns_AnswersTheResultAsLambdasJson(string handler, string expected)
    {
        using var python = await PythonRuntime.WithFilesAsync(("app.py", Results));
        await using var shim = await python.Handler(handler).StartShimAsync();

        var reply = await shim.InvokeAsync(InvokePath.Contract, """{"n":7}""", "result-request");

        ShimInvocations.AssertSucceeded(reply, Encoding.UTF8.GetBytes(expected), "result-request");
    }

    [Fact]
    public async Task Invoke_HandlerReturnsBytes_AnswersThemUnchanged()
    {
        using var python = await PythonRuntime.WithFilesAsync(("app.py", Results));
        await using var shim = await python.Handler("app.as_bytes").StartShimAsync();

        var reply = await shim.InvokeAsync(InvokePath.Contract, "{}");

        ShimInvocations.AssertSucceeded(reply, [0x00, .. "raw bytes"u8, 0xff]);
    }

    [Fact]
    public async Task Invoke_ResultNotSerialisable_AnswersMarshalError()
    {
        using var python = await PythonRuntime.WithFilesAsync(("app.py", Results));
        await using var shim = await python.Handler("app.as_set").StartShimAsync();

        var reply = await shim.InvokeAsync(InvokePath.Contract, "{}", "marshal-request");

        ShimInvocations.AssertFunctionError(reply, "Unhandled", "Runtime.MarshalError", "Unable to marshal response: Object of type set is not JSON serializable");
        Assert.Equal("marshal-request", Property(reply, "requestId"));
    }

    [Theory]
    [InlineData(InvokePath.Contract)]
    [InlineData(InvokePath.Rie)]
    public async Task Invoke_HandlerRaises_AnswersLambdasErrorDocumentAndStaysWarm(InvokePath path)
    {
        using var python = await PythonRuntime.WithFilesAsync(("app.py", """
            class OrderError(Exception):
                pass

            def check(order):
                raise OrderError("order %s is invalid" % order)

            def handler(event, context):
                if event.get("order"):
                    check(event["order"])
                return event
            """));
        await using var shim = await python.Handler("app.handler").StartShimAsync();

        var failed = await shim.InvokeAsync(path, """{"order":42}""", "raising-request");
        var next = await shim.InvokeAsync(path, """{"fine": 1}""");

        // As Lambda answers an exception a Python handler raised (docs/lambda-contracts.md#function-errors).
        ShimInvocations.AssertFunctionError(failed, "Unhandled", "OrderError", "order 42 is invalid");
        using (var document = JsonDocument.Parse(failed.Body))
        {
            var root = document.RootElement;
            Assert.Equal(["errorMessage", "errorType", "requestId", "stackTrace"], root.EnumerateObject().Select(p => p.Name));
            Assert.Equal("order 42 is invalid", root.GetProperty("errorMessage").GetString());
            Assert.Equal(failed.RequestId, root.GetProperty("requestId").GetString());
            var frames = root.GetProperty("stackTrace").EnumerateArray().Select(f => f.GetString()!).ToList();
            // The user's frames only, outermost first, in traceback.format_list's form; none of the client's own.
            var app = Path.Combine(python.TaskRoot.Path, "app.py");
            Assert.Equal(2, frames.Count);
            Assert.Equal($"  File \"{app}\", line 9, in handler\n    check(event[\"order\"])\n", frames[0]);
            Assert.Equal($"  File \"{app}\", line 5, in check\n    raise OrderError(\"order %s is invalid\" % order)\n", frames[1]);
        }

        Assert.Contains("[ERROR] OrderError: order 42 is invalid\nTraceback (most recent call last):\n", failed.LogTailText, StringComparison.Ordinal);
        ShimInvocations.AssertSucceeded(next, """{"fine": 1}"""u8.ToArray());
        ShimInvocations.AssertColdStart(next, coldStart: false);
    }

    [Fact]
    public async Task Invoke_Context_CarriesTheInvocationsFields()
    {
        using var python = await PythonRuntime.WithFilesAsync(("app.py", """
            import os

            def handler(event, context):
                cc = context.client_context
                return {
                    "aws_request_id": context.aws_request_id,
                    "function_name": context.function_name,
                    "function_version": context.function_version,
                    "invoked_function_arn": context.invoked_function_arn,
                    "memory_limit_in_mb": context.memory_limit_in_mb,
                    "log_group_name": context.log_group_name,
                    "log_stream_name": context.log_stream_name,
                    "remaining": context.get_remaining_time_in_millis(),
                    "client_custom": cc.custom if cc else None,
                    "client_app_title": cc.client.app_title if cc and cc.client else None,
                    "cognito_identity_id": context.identity.cognito_identity_id,
                    "trace_id": os.environ.get("_X_AMZN_TRACE_ID"),
                }
            """));
        await using var shim = await python.Handler("app.handler",
            ("AWS_LAMBDA_FUNCTION_NAME", "orders"),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256"),
            ("AWS_LAMBDA_LOG_STREAM_NAME", "orders-pod-1")).StartShimAsync(timeoutSeconds: 20);
        var clientContext = Convert.ToBase64String("""{"custom":{"k":"v"},"client":{"app_title":"shop"},"env":{}}"""u8);
        var trace = "Root=1-5e1b4151-5ac6c58f2b7c0e6d2a9f1e3b;Parent=53995c3f42cd8ad8;Sampled=1";

        var reply = await shim.InvokeAsync(InvokePath.Contract, "{}", "context-request",
            (ShimInvokeContract.Headers.ClientContext, clientContext), (ShimInvokeContract.Headers.TraceId, trace));

        ShimInvocations.AssertSucceeded(reply, reply.Body, "context-request");
        using var document = JsonDocument.Parse(reply.Body);
        var root = document.RootElement;
        Assert.Equal("context-request", root.GetProperty("aws_request_id").GetString());
        Assert.Equal("orders", root.GetProperty("function_name").GetString());
        Assert.Equal("$LATEST", root.GetProperty("function_version").GetString());
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:orders", root.GetProperty("invoked_function_arn").GetString());
        // A string, as Lambda's Python runtime gives it.
        Assert.Equal("256", root.GetProperty("memory_limit_in_mb").GetString());
        Assert.Equal("/aws/lambda/orders", root.GetProperty("log_group_name").GetString());
        Assert.Equal("orders-pod-1", root.GetProperty("log_stream_name").GetString());
        // From Lambda-Runtime-Deadline-Ms: the 20 s timeout minus the little the invocation has run.
        var remaining = root.GetProperty("remaining").GetInt64();
        Assert.InRange(remaining, 10_000, 20_000);
        Assert.Equal("v", root.GetProperty("client_custom").GetProperty("k").GetString());
        Assert.Equal("shop", root.GetProperty("client_app_title").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("cognito_identity_id").ValueKind);
        Assert.Equal(trace, root.GetProperty("trace_id").GetString());
    }

    [Fact]
    public async Task Invoke_HandlerLogs_PrintAndLoggingReachTheLogWithTheRequestId()
    {
        using var python = await PythonRuntime.WithFilesAsync(("app.py", """
            import logging

            logger = logging.getLogger("orders")

            def handler(event, context):
                print("printed line")
                logger.debug("not at INFO")
                logger.info("order %d taken", 42)
                logger.warning("stock low")
                return {}
            """));
        await using var shim = await python.Handler("app.handler", ("AWS_LAMBDA_LOG_LEVEL", "INFO")).StartShimAsync();

        var first = await shim.InvokeAsync(InvokePath.Contract, "{}", "logging-request-1");
        var second = await shim.InvokeAsync(InvokePath.Contract, "{}", "logging-request-2");

        foreach (var (reply, id) in new[] { (first, "logging-request-1"), (second, "logging-request-2") })
        {
            ShimInvocations.AssertSucceeded(reply, "{}"u8.ToArray(), id);
            var tail = reply.LogTailText;
            Assert.Contains("\nprinted line\n", tail, StringComparison.Ordinal);
            Assert.Matches(LogLine("INFO", id, "order 42 taken"), tail);
            Assert.Matches(LogLine("WARNING", id, "stock low"), tail);
            Assert.DoesNotContain("not at INFO", tail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Invoke_ModulesFromLayers_AreImportedInLambdasPathOrder()
    {
        using var python = await PythonRuntime.WithFilesAsync(
            ("app.py", """
                import from_site_packages, from_python, shadowed, layered

                def handler(event, context):
                    return [from_site_packages.WHERE, from_python.WHERE, shadowed.WHERE, layered.WHERE]
                """),
            ("shadowed.py", "WHERE = 'task root'\n"));
        var sitePackages = "python/lib/python3.11/site-packages";
        await python.AddLayerFilesAsync(
            ($"{sitePackages}/from_site_packages.py", "WHERE = 'site-packages'\n"),
            ("python/from_python.py", "WHERE = 'python'\n"),
            ($"{sitePackages}/shadowed.py", "WHERE = 'layer'\n"),
            ($"{sitePackages}/layered.py", "WHERE = 'site-packages first'\n"),
            ("python/layered.py", "WHERE = 'python second'\n"));
        await using var shim = await python.Handler("app.handler").StartShimAsync();

        var reply = await shim.InvokeAsync(InvokePath.Contract, "{}");

        // /var/task, then the layers' site-packages, then the layers' python/.
        ShimInvocations.AssertSucceeded(reply, """["site-packages", "python", "task root", "site-packages first"]"""u8.ToArray());
    }

    [Fact]
    public async Task Invoke_ManySequentialInvocations_UseOneKeptAliveConnection()
    {
        // The runtime's socket descriptors, by inode: one connection reused gives the same single inode each time.
        using var python = await PythonRuntime.WithFilesAsync(("app.py", """
            import os

            def handler(event, context):
                sockets = []
                for fd in os.listdir("/proc/self/fd"):
                    try:
                        target = os.readlink("/proc/self/fd/" + fd)
                    except OSError:
                        continue
                    if target.startswith("socket:"):
                        sockets.append(target)
                return {"n": event["n"], "sockets": sorted(sockets)}
            """));
        await using var shim = await python.Handler("app.handler").StartShimAsync();

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 200; i++)
        {
            var reply = await shim.InvokeAsync(InvokePath.Contract, $$"""{"n":{{i}}}""");
            ShimInvocations.AssertCompleted(reply);
            Assert.True(reply.FunctionError is null, reply.ToString());
            using var document = JsonDocument.Parse(reply.Body);
            Assert.Equal(i, document.RootElement.GetProperty("n").GetInt32());
            var sockets = document.RootElement.GetProperty("sockets").EnumerateArray().Select(s => s.GetString()!).ToList();
            Assert.True(sockets.Count == 1, $"invocation {i}: the runtime holds {sockets.Count} sockets: {string.Join(", ", sockets)}");
            seen.Add(sockets[0]);
        }

        Assert.True(seen.Count == 1, $"the runtime used {seen.Count} connections: {string.Join(", ", seen)}");
    }

    private static Regex LogLine(string level, string requestId, string message) =>
        new($@"(^|\n)\[{level}\]\t\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{Regex.Escape(requestId)}\t{Regex.Escape(message)}\n", RegexOptions.CultureInvariant);

    private static string? Property(InvokeReply reply, string name)
    {
        using var document = JsonDocument.Parse(reply.Body);
        return document.RootElement.TryGetProperty(name, out var value) ? value.GetString() : null;
    }
}
