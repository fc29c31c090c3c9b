using Lamina.Contracts.Shim;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>
/// A runtime names its error type, which the shim copies into a response header and the REPORT line:
/// a type with a tab (a forged REPORT field) and non-ASCII letters, as the bash runtime's curl sends it
/// raw in <c>Lambda-Runtime-Function-Error-Type</c>, must still give the caller a whole answer.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class UnsafeErrorTypeTests
{
    private const string Handler = """
        handler() {
          ERROR_TYPE=$'Ошибка\tStatus: success'
          ERROR_MESSAGE="an unsafe error type"
          return 1
        }
        """;

    [Theory]
    [InlineData(InvokePath.Contract)]
    [InlineData(InvokePath.Rie)]
    public async Task Invoke_RuntimeNamesAnUnsafeErrorType_AnsweredWithTheSafeTypeAndOneReportLine(InvokePath path)
    {
        using var taskRoot = new TemporaryDirectory();
        var runtime = await ConformanceRuntimes.WithHandlerAsync(ConformanceRuntimes.Provided, taskRoot, Handler);
        await using var shim = await runtime.StartShimAsync(timeoutSeconds: 10);

        var reply = await shim.InvokeAsync(path, "{}", "unsafe-error-type");

        const string safe = "_______Status:_success"; // six letters and the tab
        Assert.True(reply.FunctionError == "Unhandled", reply.ToString());
        if (path == InvokePath.Contract)
        {
            Assert.True(reply.Header(ShimInvokeContract.Headers.FunctionErrorType) == safe, reply.ToString());
        }

        Assert.True(reply.ReportLine.EndsWith($"\tStatus: error\tError Type: {safe}", StringComparison.Ordinal), reply.ToString());
        Assert.DoesNotContain("\tStatus: success", reply.LogTailText, StringComparison.Ordinal);
        Assert.False(shim.Process.HasExited);
    }
}
