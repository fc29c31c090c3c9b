using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>
/// Lamina's Python client when the handler cannot be found: the init error as Lambda names it, posted to
/// init/error, which the shim gives to the first invocation (Unhandled, as for any init failure).
/// </summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class PythonRuntimeInitErrorTests
{
    public static TheoryData<string, string, string, string> Cases => new()
    {
        // handler, app.py's source, errorType, errorMessage (exactly, as Lambda's Python runtime writes it)
        { "missing.handler", "def handler(event, context):\n    return 1\n", "Runtime.ImportModuleError", "Unable to import module 'missing': No module named 'missing'" },
        { "app.nothere", "def handler(event, context):\n    return 1\n", "Runtime.HandlerNotFound", "Handler 'nothere' missing on module 'app'" },
        { "app", "def handler(event, context):\n    return 1\n", "Runtime.MalformedHandlerName", "Bad handler 'app': not enough values to unpack (expected 2, got 1)" },
        { "app.handler", "def handler(event, context)\n    return 1\n", "Runtime.UserCodeSyntaxError", "Syntax error in module 'app': expected ':' (app.py, line 1)" },
        { "app.handler", "raise RuntimeError('no configuration')\n", "RuntimeError", "no configuration" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Invoke_HandlerCannotLoad_FirstInvocationGetsLambdasInitError(string handler, string source, string errorType, string message)
    {
        using var python = await PythonRuntime.WithFilesAsync(("app.py", source));
        await using var shim = await python.Handler(handler).StartShimAsync();

        var reply = await shim.InvokeAsync(InvokePath.Contract, "{}", "init-error-request");

        ShimInvocations.AssertFunctionError(reply, "Unhandled", errorType, message);
        Assert.Equal(message, reply.Error.Message);
        ShimInvocations.AssertColdStart(reply, coldStart: true);
        using var document = System.Text.Json.JsonDocument.Parse(reply.Body);
        Assert.Equal(System.Text.Json.JsonValueKind.Array, document.RootElement.GetProperty("stackTrace").ValueKind);
        // Printed as Lambda's runtime prints it, into the init output the shim gives as the log tail.
        Assert.Contains($"[ERROR] {errorType}: {message}", reply.LogTailText, StringComparison.Ordinal);
    }
}
