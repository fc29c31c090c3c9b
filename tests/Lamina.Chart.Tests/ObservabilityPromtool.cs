using System.Diagnostics;
using Lamina.Testing;

namespace Lamina.Chart.Tests;

/// <summary>
/// promtool's <c>check rules</c> and <c>test rules</c> (Lamina.Testing's <see cref="Promtool"/> runs
/// only <c>check metrics</c>). Missing, the calling test fails: it never skips.
/// </summary>
internal static class ObservabilityPromtool
{
    /// <summary>promtool answers in about a second; the bound only stops a hung process from hanging the run.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>Runs promtool in the repository root; fails with its output unless it exits 0.</summary>
    public static async Task<string> RunCheckedAsync(params string[] arguments)
    {
        var promtool = Find()
            ?? throw new Xunit.Sdk.XunitException("promtool is not installed: run hack/test-tools.sh (it installs Debian's prometheus package, which provides /usr/bin/promtool)");
        var start = new ProcessStartInfo(promtool)
        {
            WorkingDirectory = RepositoryLayout.Discover().Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"promtool {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{output}");
        }

        return output;
    }

    private static string? Find()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, "promtool");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
