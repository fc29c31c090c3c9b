using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using SystemProcess = System.Diagnostics.Process;

namespace Lamina.RuntimeShim.Supervision;

/// <summary>
/// One run of the runtime as the shim's child: its stdin closed (as in Lambda), its stdout and stderr
/// read by <see cref="OutputPump"/>s and passed to the caller, its exit described the way Lambda
/// describes it (<c>exit status 3</c>, <c>signal: killed</c>).
/// </summary>
internal sealed class RuntimeProcess : IRuntimeProcess
{
    private readonly SystemProcess _process;
    private readonly OutputPump _stdout;
    private readonly OutputPump _stderr;

    private RuntimeProcess(SystemProcess process, Action<ReadOnlyMemory<byte>, bool> onOutput)
    {
        _process = process;
        Id = process.Id;
        _stdout = new OutputPump(process.StandardOutput.BaseStream, "stdout", chunk => onOutput(chunk, false));
        _stderr = new OutputPump(process.StandardError.BaseStream, "stderr", chunk => onOutput(chunk, true));
        Exited = WaitForExitAsync();
    }

    public int Id { get; }

    /// <summary>Completes with Lambda's description of how the process ended.</summary>
    public Task<string> Exited { get; }

    /// <summary>Starts the runtime; throws <see cref="RuntimeStartException"/> when it cannot be executed.</summary>
    public static RuntimeProcess Start(RuntimeLaunch launch, Action<ReadOnlyMemory<byte>, bool> onOutput)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var start = new ProcessStartInfo(launch.Command[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = launch.WorkingDirectory ?? string.Empty,
        };
        for (var i = 1; i < launch.Command.Count; i++)
        {
            start.ArgumentList.Add(launch.Command[i]);
        }

        start.Environment.Clear();
        foreach (var (name, value) in launch.Environment)
        {
            start.Environment[name] = value;
        }

        SystemProcess process;
        try
        {
            process = SystemProcess.Start(start) ?? throw new RuntimeStartException($"fork/exec {launch.Command[0]}: the process did not start");
        }
        catch (Win32Exception e)
        {
            throw new RuntimeStartException($"fork/exec {launch.Command[0]}: {e.Message}", e);
        }

        // Lambda runtimes read nothing from stdin: end of file at once.
        process.StandardInput.Close();
        return new RuntimeProcess(process, onOutput);
    }

    /// <summary>Kills the runtime and everything it started (a bash runtime's curl and sleep included).</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>Asks the runtime to stop (SIGTERM), as the kubelet asked the shim.</summary>
    public void Terminate() => _ = NativeMethods.Kill(Id, NativeMethods.SIGTERM);

    /// <summary>
    /// Waits until every byte the runtime wrote so far has been handed on, for at most
    /// <paramref name="bound"/> (a grandchild holding the pipe open must not hold an invocation up).
    /// </summary>
    public async ValueTask FlushAsync(TimeSpan bound)
    {
        var started = Stopwatch.GetTimestamp();
        while (!(_stdout.IsIdle && _stderr.IsIdle))
        {
            if (Stopwatch.GetElapsedTime(started) > bound)
            {
                return;
            }

            await Task.Yield();
        }
    }

    /// <summary>Peak resident memory of the runtime's main process (VmHWM), or null.</summary>
    public long? PeakMemoryBytes
    {
        get
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{Id}/status"))
                {
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    {
                        var digits = line.AsSpan(6).Trim().TrimEnd("kB").Trim();
                        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var kilobytes) ? kilobytes * 1024 : null;
                    }
                }
            }
            catch (IOException)
            {
                // The process is gone.
            }

            return null;
        }
    }

    public void Dispose() => _process.Dispose();

    private async Task<string> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().ConfigureAwait(false);
        // Output written just before the exit is still in the pipes; read it before anyone reports the exit.
        await Task.WhenAny(Task.WhenAll(_stdout.Completion, _stderr.Completion), Task.Delay(TimeSpan.FromMilliseconds(200))).ConfigureAwait(false);
        return Describe(_process.ExitCode);
    }

    /// <summary>Lambda's (Go's) wording; .NET reports a death by signal N as exit code 128 + N.</summary>
    internal static string Describe(int exitCode) => exitCode switch
    {
        > 128 and < 160 => "signal: " + (exitCode - 128) switch
        {
            6 => "aborted",
            9 => "killed",
            11 => "segmentation fault",
            15 => "terminated",
            var signal => signal.ToString(CultureInfo.InvariantCulture),
        },
        _ => "exit status " + exitCode.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>The runtime's command could not be executed (missing, not executable, wrong format).</summary>
internal sealed class RuntimeStartException(string message, Exception? inner = null) : Exception(message, inner);
