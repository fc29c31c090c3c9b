using System.Diagnostics;

namespace Lamina.Testing;

/// <summary>
/// Helm 3, as <c>hack/helm.sh</c> installs it (hack/test-tools.sh runs that): <c>LAMINA_HELM</c> when
/// set, else <c>$LAMINA_CACHE/helm/&lt;HELM_NPM_PACKAGE_VERSION&gt;/helm</c>, the pinned build. Missing,
/// the calling test fails: it never skips.
/// </summary>
public static class Helm
{
    /// <summary>A render takes well under a second; the bound only stops a hung process from hanging the run.</summary>
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    /// <summary>The helm binary; throws (failing the test) when it is not installed.</summary>
    public static string Binary => Find() ?? throw new InvalidOperationException(
        $"helm is not installed (looked for {Describe()}): run hack/helm.sh or hack/test-tools.sh, or set LAMINA_HELM");

    /// <summary>
    /// Runs helm with <paramref name="args"/> in <paramref name="workingDirectory"/> (the repository by
    /// default) and captures its output. KUBECONFIG is not passed on: a command for a cluster names it
    /// with <c>--kubeconfig</c>; an install that waits for its pods gives a longer <paramref name="timeout"/>.
    /// </summary>
    public static async Task<HelmResult> RunAsync(IEnumerable<string> args, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var bound = timeout ?? DefaultTimeout;
        ArgumentNullException.ThrowIfNull(args);
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? RepositoryLayout.Discover().Root,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Helm keeps caches and repository lists under HOME/XDG paths; a render needs none of them.
        var scratch = Path.Combine(Path.GetTempPath(), "lamina-helm");
        start.Environment["HELM_CACHE_HOME"] = Path.Combine(scratch, "cache");
        start.Environment["HELM_CONFIG_HOME"] = Path.Combine(scratch, "config");
        start.Environment["HELM_DATA_HOME"] = Path.Combine(scratch, "data");
        start.Environment.Remove("KUBECONFIG");

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(bound);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"helm {string.Join(' ', start.ArgumentList)} did not finish within {bound.TotalSeconds} s");
        }

        return new HelmResult(string.Join(' ', start.ArgumentList), process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs helm and fails, with its words, unless it exits 0; returns its standard output.</summary>
    public static async Task<string> RunCheckedAsync(IEnumerable<string> args, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var result = await RunAsync(args, workingDirectory, timeout);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"helm {result.Command} exited with {result.ExitCode}:\n{result.Stderr}{result.Stdout}");
        }

        return result.Stdout;
    }

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("LAMINA_HELM") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }

        var pinned = PinnedPath();
        return pinned is not null && File.Exists(pinned) ? pinned : null;
    }

    private static string? PinnedPath()
    {
        var layout = RepositoryLayout.Discover();
        var versions = RepositoryLayout.ReadEnvFile(Path.Combine(layout.Root, "hack", "versions.env"));
        return versions.TryGetValue("HELM_NPM_PACKAGE_VERSION", out var version)
            ? Path.Combine(layout.Cache, "helm", version, "helm")
            : null;
    }

    private static string Describe() =>
        Environment.GetEnvironmentVariable("LAMINA_HELM") is { Length: > 0 } configured
            ? $"LAMINA_HELM={configured}"
            : PinnedPath() ?? "HELM_NPM_PACKAGE_VERSION in hack/versions.env";
}

/// <summary>What one helm run did.</summary>
/// <param name="Command">Its arguments, for messages.</param>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Stdout">Its standard output.</param>
/// <param name="Stderr">Its standard error.</param>
public sealed record HelmResult(string Command, int ExitCode, string Stdout, string Stderr);
