using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>
/// The provided.al2023 / provided.al2 image's /var/runtime/bootstrap (runtimes/provided/bootstrap) under the
/// shim: it runs the zip's own bootstrap, and without one fails the init as Lambda does.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class ProvidedBootstrapTests
{
    private static string Bootstrap => Path.Combine(RepositoryLayout.Discover().Root, "runtimes", "provided", "bootstrap");

    [Fact]
    public async Task Invoke_TaskRootHasABootstrap_ItIsTheRuntime()
    {
        using var taskRoot = new TemporaryDirectory();
        // The examples' bash runtime and conformance function, copied in as a zip would hold them.
        var provided = Path.Combine(RepositoryLayout.Discover().Root, "examples", "runtimes", "provided");
        File.Copy(Path.Combine(provided, "bootstrap"), Path.Combine(taskRoot.Path, "bootstrap"));
        File.Copy(Path.Combine(provided, "function.sh"), Path.Combine(taskRoot.Path, "function.sh"));
        var runtime = new ConformanceRuntime("provided image", [Bootstrap], new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["LAMBDA_TASK_ROOT"] = taskRoot.Path,
            ["_HANDLER"] = "function.handler",
        });
        await using var shim = await runtime.StartShimAsync();

        var reply = await shim.InvokeAsync(InvokePath.Contract, """{"n":1}""", "provided-request");

        ShimInvocations.AssertSucceeded(reply, """{"n":1}"""u8.ToArray(), "provided-request");
        Assert.Contains("conformance: request provided-request", reply.LogTailText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_NoBootstrapAnywhere_InitFailsWithInvalidEntrypoint()
    {
        Assert.False(File.Exists("/opt/bootstrap"), "this machine has an /opt/bootstrap: the test cannot see the failure");
        using var taskRoot = new TemporaryDirectory();
        var runtime = new ConformanceRuntime("provided image", [Bootstrap], new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["LAMBDA_TASK_ROOT"] = taskRoot.Path,
            ["_HANDLER"] = "function.handler",
        });
        await using var shim = await runtime.StartShimAsync();

        var reply = await shim.InvokeAsync(InvokePath.Contract, "{}");

        ShimInvocations.AssertFunctionError(reply, "Unhandled", "Runtime.InvalidEntrypoint",
            $"Couldn't find valid bootstrap(s): [{taskRoot.Path}/bootstrap /opt/bootstrap]");
    }
}
