using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>
/// Lamina's Python runtime interface client (runtimes/python) run by the host's python3 (3.11, as in the
/// runtime-python311 image), with a task root and a layers folder of the test's own: the client reads the
/// layers from <c>LAMINA_PYTHON_LAYERS_ROOT</c> instead of /opt, which tests cannot write.
/// </summary>
internal sealed class PythonRuntime : IDisposable
{
    private PythonRuntime()
    {
    }

    /// <summary>The function's code: /var/task in a pod.</summary>
    public TemporaryDirectory TaskRoot { get; } = new();

    /// <summary>What /opt holds in a pod: the layers, unpacked.</summary>
    public TemporaryDirectory Layers { get; } = new();

    private static string Bootstrap => Path.Combine(RepositoryLayout.Discover().Root, "runtimes", "python", "bootstrap");

    /// <summary>A runtime whose task root holds <paramref name="files"/> (relative path → source).</summary>
    public static async Task<PythonRuntime> WithFilesAsync(params (string Path, string Source)[] files)
    {
        var runtime = new PythonRuntime();
        await WriteAsync(runtime.TaskRoot, files).ConfigureAwait(false);
        return runtime;
    }

    /// <summary>Writes files into a layer's folder (relative to /opt: <c>python/…</c>).</summary>
    public Task AddLayerFilesAsync(params (string Path, string Source)[] files) => WriteAsync(Layers, files);

    /// <summary>The shim's runtime: the bootstrap with <paramref name="handler"/> as _HANDLER.</summary>
    public ConformanceRuntime Handler(string handler, params (string Name, string Value)[] variables) =>
        new ConformanceRuntime(
            "python",
            [Bootstrap],
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["LAMBDA_TASK_ROOT"] = TaskRoot.Path,
                ["_HANDLER"] = handler,
                ["LAMINA_PYTHON_LAYERS_ROOT"] = Layers.Path,
            }).With(variables);

    public void Dispose()
    {
        TaskRoot.Dispose();
        Layers.Dispose();
    }

    private static async Task WriteAsync(TemporaryDirectory root, (string Path, string Source)[] files)
    {
        foreach (var (relative, source) in files)
        {
            var path = Path.Combine(root.Path, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, source).ConfigureAwait(false);
        }
    }
}
