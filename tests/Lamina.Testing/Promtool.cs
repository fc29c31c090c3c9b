using System.Diagnostics;

namespace Lamina.Testing;

/// <summary>
/// Prometheus' own linter, <c>promtool check metrics</c>, from Debian's <c>prometheus</c> package
/// (hack/test-tools.sh installs it). Missing, the calling test fails: it never skips.
/// </summary>
public static class Promtool
{
    /// <summary>promtool answers in well under a second; the bound only stops a hung process from hanging the run.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Fails, with promtool's words and the exposition, unless promtool accepts <paramref name="exposition"/>.</summary>
    public static async Task AssertValidAsync(string exposition)
    {
        var promtool = FindOnPath("promtool")
            ?? throw new Xunit.Sdk.XunitException("promtool is not installed: run hack/test-tools.sh (it installs Debian's prometheus package, which provides /usr/bin/promtool)");
        using var process = Process.Start(new ProcessStartInfo(promtool, "check metrics")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(Timeout);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"promtool check metrics exited with {process.ExitCode}:\n{await stdout}{await stderr}\n--- input ---\n{exposition}");
        }
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
