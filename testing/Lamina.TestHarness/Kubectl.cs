using System.Diagnostics;

namespace Lamina.Testing;

/// <summary>
/// kubectl against the local cluster's kubeconfig, for end-to-end tests until the project's own
/// client library can do the same.
/// </summary>
public sealed class Kubectl(string kubeconfig)
{
    /// <summary>Runs kubectl; returns stdout, or throws with stderr when it fails.</summary>
    public async Task<string> RunAsync(string? standardInput, params string[] arguments)
    {
        var info = new ProcessStartInfo("kubectl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add($"--kubeconfig={kubeconfig}");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start kubectl");
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput).ConfigureAwait(false);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl {string.Join(' ', arguments)} failed ({process.ExitCode}): {await stderr.ConfigureAwait(false)}");
        }

        return await stdout.ConfigureAwait(false);
    }
}
