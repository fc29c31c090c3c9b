using System.Diagnostics;

namespace Lamina.RuntimeShim.Code;

/// <summary>
/// <c>runtime-shim fetch</c>, run by the function pod's init container (docs/runtime-shim.md, "Fetching
/// code"): every blob is downloaded and verified first (a missing layer fails before anything is
/// unpacked), then the zip is unpacked into <c>--task</c> and the layers in order into <c>--opt</c>.
/// A failure is one line on stderr and in the termination log, and leaves both folders empty.
/// </summary>
internal static class CodeFetcher
{
    /// <summary>Runs the fetch: 0 and one line on <paramref name="output"/>, or 1 and the reason on <paramref name="error"/> and in the termination log.</summary>
    public static async Task<int> RunAsync(
        FetchOptions options,
        TextWriter output,
        TextWriter error,
        UnpackLimits? limits = null,
        FetchRetryPolicy? retry = null,
        TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            var summary = await FetchAsync(options, limits ?? UnpackLimits.Default, retry ?? FetchRetryPolicy.Default, time ?? TimeProvider.System, cancellationToken).ConfigureAwait(false);
            output.WriteLine($"runtime-shim fetch: {summary}");
            return 0;
        }
        catch (FetchFailure e)
        {
            var line = $"runtime-shim fetch: {e.Message}";
            error.WriteLine(line);
            TerminationMessage.TryWrite(options.TerminationLog, line);
            return 1;
        }
    }

    private static async Task<string> FetchAsync(FetchOptions options, UnpackLimits limits, FetchRetryPolicy retry, TimeProvider time, CancellationToken cancellationToken)
    {
        var task = FetchTarget.Prepare(options.Task);
        FetchTarget? opt = null;
        try
        {
            if (options.Layers.Count > 0)
            {
                opt = FetchTarget.Prepare(options.Opt);
            }

            var timings = new FetchTimings();
            var clock = Stopwatch.StartNew();
            var code = $"code {options.Code}";
            using (var store = options.NeedsStore ? new BlobStoreClient(options.Store!, options.Namespace!, options.TokenFile!, retry, time) : null)
            {
                if (options.CodeFile is { } file)
                {
                    await CopyFileAsync(file, options.Code, code, task.Blob(0), timings, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await store!.FetchAsync(options.Code, code, task.Blob(0), timings, cancellationToken).ConfigureAwait(false);
                }

                for (var i = 0; i < options.Layers.Count; i++)
                {
                    await store!.FetchAsync(options.Layers[i], LayerName(options, i), opt!.Blob(i + 1), timings, cancellationToken).ConfigureAwait(false);
                }
            }

            timings.Transfer = clock.Elapsed;
            clock.Restart();
            var budget = new UnpackBudget(limits);
            var codeTree = Unpack(task, budget, [(task.Blob(0), code)]);
            var optTree = opt is null ? null : Unpack(opt, budget, [.. options.Layers.Select((_, i) => (opt.Blob(i + 1), LayerName(options, i)))]);
            Commit(task, codeTree);
            if (opt is not null)
            {
                Commit(opt, optTree!);
            }

            timings.Unpack = clock.Elapsed;
            var layers = optTree is null ? string.Empty : $" and {options.Layers.Count} layer(s) ({optTree.Files} files, {optTree.Bytes} bytes) into {opt!.Root}";
            return $"unpacked {code} ({codeTree.Files} files, {codeTree.Bytes} bytes) into {task.Root}{layers}; "
                + $"fetch {timings.Fetch.TotalMilliseconds:F0} ms, verify {timings.Verify.TotalMilliseconds:F0} ms, unpack {timings.Unpack.TotalMilliseconds:F0} ms";
        }
        catch (Exception e) when (e is FetchFailure or IOException or UnauthorizedAccessException or OperationCanceledException or OutOfMemoryException)
        {
            // Out of memory: the archive that took it is released by now (its using ended), so the
            // reason can still be reported; the entry limit is meant to keep this from happening.
            task.Abort();
            opt?.Abort();
            throw e switch
            {
                FetchFailure failure => failure,
                OperationCanceledException => new FetchFailure("cancelled", e),
                OutOfMemoryException => new FetchFailure("out of memory while unpacking (the shim's heap is capped at 64 MB): too many entries or too long names", e),
                _ => new FetchFailure(e.Message, e),
            };
        }
    }

    private static string LayerName(FetchOptions options, int index) => $"layer {index + 1} {options.Layers[index]}";

    private static UnpackTree Unpack(FetchTarget target, UnpackBudget budget, (string Blob, string What)[] archives)
    {
        var tree = new UnpackTree(target.Tree, budget);
        foreach (var (blob, what) in archives)
        {
            tree.Add(blob, what);
            File.Delete(blob);
        }

        tree.CreateLinks();
        return tree;
    }

    private static void Commit(FetchTarget target, UnpackTree tree)
    {
        target.Commit();
        try
        {
            tree.ApplyFolderModes(target.Root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FetchFailure($"setting folder modes in {target.Root} failed: {e.Message}", e);
        }
    }

    private static async Task CopyFileAsync(string path, BlobDigest expected, string what, string destination, FetchTimings timings, CancellationToken cancellationToken)
    {
        FileStream source;
        try
        {
            source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, useAsync: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FetchFailure($"{what}: cannot read the code file {path}: {e.Message}", e);
        }

        // Copied, not unpacked in place: a ConfigMap's file can be swapped by the kubelet between a check and a read.
        await using (source.ConfigureAwait(false))
        await using (var file = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true))
        {
            await VerifiedCopy.CopyAsync(source, file, expected, what, timings, progressed: null, cancellationToken).ConfigureAwait(false);
        }
    }
}
