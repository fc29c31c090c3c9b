using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>
/// A result over Lambda's 6 MB response limit: the runtime gets 413, the caller Function.ResponseSizeTooLarge,
/// and the environment goes on. The conformance function cannot return more than it was sent (and the event
/// is capped at 6 MB), so each runtime runs a handler of this test's own that answers 7 MiB when asked.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class OversizedResponseTests
{
    private const string BashHandler = """
        handler() {
          echo "oversized: request $LAMBDA_REQUEST_ID"
          if [[ "$1" == *'"big"'* ]]; then
            RESPONSE="\"$(head -c 7340032 /dev/zero | tr '\0' x)\""
          else
            RESPONSE="$1"
          fi
        }
        """;

    private const string NodeHandler = """
        export async function handler(event, context) {
          process.stdout.write(`oversized: request ${context.awsRequestId}\n`);
          return event.big ? "x".repeat(7340032) : event;
        }
        """;

    [Theory]
    [MemberData(nameof(ConformanceRuntimes.NamesAndPaths), MemberType = typeof(ConformanceRuntimes))]
    public async Task Invoke_ResultOverSixMegabytes_FunctionResponseSizeTooLargeAndTheShimGoesOn(string runtime, InvokePath path)
    {
        using var taskRoot = new TemporaryDirectory();
        var oversized = await ConformanceRuntimes.WithHandlerAsync(runtime, taskRoot, runtime == ConformanceRuntimes.Provided ? BashHandler : NodeHandler);
        await using var shim = await oversized.StartShimAsync();

        var tooLarge = await shim.InvokeAsync(path, """{"big":true}""", "answers-too-much");
        await shim.WaitUntilReadyAgainAsync();
        var next = await shim.InvokeAsync(path, """{"small":true}""", "answers-little");

        ShimInvocations.AssertFunctionError(tooLarge, "Unhandled", "Function.ResponseSizeTooLarge",
            "Response payload size exceeded maximum allowed payload size (6291556 bytes).");
        Assert.Contains($"oversized: request {tooLarge.RequestId}\n", tooLarge.LogTailText, StringComparison.Ordinal);
        ShimInvocations.AssertSucceeded(next, """{"small":true}"""u8.ToArray(), "answers-little");
        Assert.False(shim.Process.HasExited, "the shim exited");
    }
}
