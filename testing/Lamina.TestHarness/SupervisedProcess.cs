using System.Diagnostics;

namespace Lamina.Testing;

/// <summary>
/// A server process (etcd, kube-apiserver, …) that cannot outlive the test run that started it.
/// </summary>
/// <remarks>
/// The program runs under a small <c>sh</c> supervisor whose standard input is a pipe from this
/// process. When the pipe reaches end-of-file the supervisor stops the program (TERM, then KILL
/// after a grace period). The pipe closes when <see cref="DisposeAsync"/> closes it, and also
/// when the test host dies for any reason, SIGKILL included, because the kernel closes the
/// dead process's end: an aborted run leaves no orphan servers behind.
/// </remarks>
public sealed class SupervisedProcess : IAsyncDisposable
{
    /// <summary>
    /// Arguments: log file, then the program and its arguments. Background lists in a
    /// non-interactive shell read /dev/null, so the watcher reads the pipe through fd 3.
    /// </summary>
    internal const string SupervisorScript = """
        log="$1"; shift
        exec 3<&0
        "$@" </dev/null >>"$log" 2>&1 &
        child=$!
        echo "$child" >"$log.pid"
        (
          while read -r _ <&3; do :; done
          kill -TERM "$child" 2>/dev/null
          i=0
          while kill -0 "$child" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i+1)); done
          kill -KILL "$child" 2>/dev/null
        ) &
        watcher=$!
        exec 3<&-
        wait "$child"
        status=$?
        kill "$watcher" 2>/dev/null
        exit "$status"
        """;

    /// <summary>The supervisor allows 10 s between TERM and KILL; 5 s more before we kill the tree ourselves.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _supervisor;

    private SupervisedProcess(Process supervisor, string name, string logPath)
    {
        _supervisor = supervisor;
        Name = name;
        LogPath = logPath;
    }

    /// <summary>A short name for messages (the program's file name).</summary>
    public string Name { get; }

    /// <summary>Where the program's stdout and stderr go.</summary>
    public string LogPath { get; }

    /// <summary>True once the program has exited (on its own or stopped).</summary>
    public bool HasExited => _supervisor.HasExited;

    /// <summary>The program's exit code once <see cref="HasExited"/> is true.</summary>
    public int ExitCode => _supervisor.ExitCode;

    /// <summary>The program's process id (not the supervisor's), for tests that signal it.</summary>
    public int ProgramId => int.Parse(File.ReadAllText(LogPath + ".pid").Trim(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Starts <paramref name="program"/> with <paramref name="arguments"/>, appending its output to <paramref name="logPath"/>.</summary>
    public static SupervisedProcess Start(string program, IEnumerable<string> arguments, string logPath) =>
        Start(program, arguments, logPath, environment: null);

    /// <summary>As <see cref="Start(string, IEnumerable{string}, string)"/>, with variables added to the program's environment.</summary>
    public static SupervisedProcess Start(string program, IEnumerable<string> arguments, string logPath, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(SupervisorScript);
        info.ArgumentList.Add("lamina-supervisor");
        info.ArgumentList.Add(logPath);
        info.ArgumentList.Add(program);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start /bin/sh for {program}");
        return new SupervisedProcess(process, Path.GetFileName(program), logPath);
    }

    /// <summary>Sends <paramref name="signal"/> (a name <c>kill</c> knows: TERM, INT, KILL) to the program, not its supervisor.</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, ProgramId.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })
            ?? throw new InvalidOperationException("could not run kill");
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {ProgramId} exited with {kill.ExitCode}");
        }
    }

    /// <summary>Waits for the program to exit on its own and returns its exit code; fails with the log at the deadline.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _supervisor.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout}:\n{LogTail(60)}");
        }

        return _supervisor.ExitCode;
    }

    /// <summary>The last lines of the log, for failure messages.</summary>
    public string LogTail(int lines = 30)
    {
        if (!File.Exists(LogPath))
        {
            return "(no log)";
        }

        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var all = reader.ReadToEnd().Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    /// <summary>Stops the program and waits for it; kills the whole tree if it does not stop in time.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_supervisor.HasExited)
        {
            _supervisor.StandardInput.Close();
            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await _supervisor.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _supervisor.Kill(entireProcessTree: true);
                await _supervisor.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        _supervisor.Dispose();
    }
}
