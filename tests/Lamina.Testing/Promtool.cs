using System.Diagnostics;

namespace Lamina.Testing;

/// <summary>
/// Prometheus' own tool, <c>promtool</c>, from Debian's <c>prometheus</c> package (hack/test-tools.sh
/// installs it): the one runner every tier uses, for <c>check metrics</c> on a page and for
/// <c>check rules</c> / <c>test rules</c> on the chart's rules. Missing, the calling test fails: it never skips.
/// </summary>
public static class Promtool
{
    /// <summary>promtool answers in about a second; the bound only stops a hung process from hanging the run.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>Fails, with promtool's words and the exposition, unless <c>promtool check metrics</c> accepts <paramref name="exposition"/>.</summary>
    public static async Task AssertValidAsync(string exposition)
    {
        var (exitCode, output) = await RunAsync(["check", "metrics"], standardInput: exposition);
        if (exitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"promtool check metrics exited with {exitCode}:\n{output}\n--- input ---\n{exposition}");
        }
    }

    /// <summary>Runs promtool in the repository root; fails with its output unless it exits 0.</summary>
    public static async Task<string> RunCheckedAsync(params string[] arguments)
    {
        var (exitCode, output) = await RunAsync(arguments, standardInput: null);
        if (exitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"promtool {string.Join(' ', arguments)} exited with {exitCode}:\n{output}");
        }

        return output;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> arguments, string? standardInput)
    {
        var promtool = FindOnPath("promtool")
            ?? throw new Xunit.Sdk.XunitException("promtool is not installed: run hack/test-tools.sh (it installs Debian's prometheus package, which provides /usr/bin/promtool)");
        var start = new ProcessStartInfo(promtool)
        {
            WorkingDirectory = RepositoryLayout.Discover().Root,
            RedirectStandardInput = standardInput is not null,
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
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }

        using var timeout = new CancellationTokenSource(Timeout);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string? FindOnPath(string program)
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
