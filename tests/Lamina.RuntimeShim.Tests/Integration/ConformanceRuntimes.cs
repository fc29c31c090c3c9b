using System.Diagnostics;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>
/// The example runtimes of examples/runtimes/, each running the same conformance function: the bash
/// custom runtime ("provided") and Node 22 with AWS's aws-lambda-ric ("node"), whose Node and RIC
/// hack/images/node-runtime.sh builds once per machine (minutes the first time) and this class once
/// per test run.
/// </summary>
internal static class ConformanceRuntimes
{
    public const string Provided = "provided";
    public const string Node = "node";

    /// <summary>The node runtime's build checks its cache in a second; a cold build takes minutes.</summary>
    private static readonly TimeSpan NodeBuildTimeout = TimeSpan.FromMinutes(20);

    private static readonly Lazy<Task<string>> NodeRuntimeFolder = new(BuildNodeRuntimeAsync);

    /// <summary>Every runtime, for <c>[MemberData]</c>.</summary>
    public static TheoryData<string> Names => new() { Provided, Node };

    /// <summary>Every runtime through both invoke paths, for <c>[MemberData]</c>.</summary>
    public static TheoryData<string, InvokePath> NamesAndPaths => new()
    {
        { Provided, InvokePath.Contract },
        { Provided, InvokePath.Rie },
        { Node, InvokePath.Contract },
        { Node, InvokePath.Rie },
    };

    private static string Examples => Path.Combine(RepositoryLayout.Discover().Root, "examples", "runtimes");

    /// <summary>The named runtime with the conformance function as its handler.</summary>
    public static async Task<ConformanceRuntime> GetAsync(string name) => name switch
    {
        Provided => new ConformanceRuntime(
            Provided,
            [Path.Combine(Examples, "provided", "bootstrap")],
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["LAMBDA_TASK_ROOT"] = Path.Combine(Examples, "provided"),
                ["_HANDLER"] = "function.handler",
            }),
        Node => new ConformanceRuntime(
            Node,
            [Path.Combine(Examples, "node", "bootstrap")],
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["LAMINA_NODE_RUNTIME"] = await NodeRuntimeFolder.Value.ConfigureAwait(false),
                ["LAMBDA_TASK_ROOT"] = Path.Combine(Examples, "node"),
                ["_HANDLER"] = "index.handler",
            }),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such conformance runtime"),
    };

    /// <summary>
    /// The named runtime with a handler of the test's own instead of the conformance function:
    /// <paramref name="source"/> is written to a fresh task root as <c>function.sh</c> (provided,
    /// defining the bash function <c>handler</c>) or <c>index.mjs</c> (node, exporting <c>handler</c>).
    /// </summary>
    public static async Task<ConformanceRuntime> WithHandlerAsync(string name, TemporaryDirectory taskRoot, string source)
    {
        ArgumentNullException.ThrowIfNull(taskRoot);
        var runtime = await GetAsync(name).ConfigureAwait(false);
        var file = name == Provided ? "function.sh" : "index.mjs";
        await File.WriteAllTextAsync(Path.Combine(taskRoot.Path, file), source).ConfigureAwait(false);
        return runtime.With(("LAMBDA_TASK_ROOT", taskRoot.Path));
    }

    private static async Task<string> BuildNodeRuntimeAsync()
    {
        var script = Path.Combine(RepositoryLayout.Discover().Root, "hack", "images", "node-runtime.sh");
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { script },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not run {script}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(NodeBuildTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish within {NodeBuildTimeout}:\n{await stderr.ConfigureAwait(false)}");
        }

        var output = await stdout.ConfigureAwait(false);
        var folder = output.TrimEnd('\n').Split('\n')[^1].Trim();
        if (process.ExitCode != 0 || !File.Exists(Path.Combine(folder, "bin", "node")))
        {
            throw new InvalidOperationException(
                $"{script} failed (exit code {process.ExitCode}); the node conformance runtime cannot run:\n{output}\n{await stderr.ConfigureAwait(false)}");
        }

        return folder;
    }
}
