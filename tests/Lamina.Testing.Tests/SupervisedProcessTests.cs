using System.Diagnostics;

namespace Lamina.Testing.Tests;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class SupervisedProcessTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("lamina-supervised-");

    private string PidFile => Path.Combine(_work.FullName, "program.pid");

    private string LogFile => Path.Combine(_work.FullName, "program.log");

    /// <summary>A program that records its pid, then runs until stopped.</summary>
    private string[] LongRunning => ["-c", $"echo $$ > '{PidFile}'; exec sleep 300"];

    [Fact]
    public async Task DisposeAsync_RunningProgram_ProgramIsGone()
    {
        var process = SupervisedProcess.Start("/bin/sh", LongRunning, LogFile);
        var pid = await ReadPidAsync();

        await process.DisposeAsync();

        Assert.False(IsAlive(pid), $"pid {pid} still runs after DisposeAsync");
    }

    [Fact]
    public async Task ParentKilled_WithoutDispose_ProgramIsStopped()
    {
        // The parent holds the supervisor's stdin pipe like the test host does; SIGKILL it and
        // the kernel closes the pipe, which is all the supervisor needs to stop the program.
        var parentScript = $"""
            exec 3> >(exec /bin/sh -c "$1" lamina-supervisor '{LogFile}' /bin/sh -c "echo \$\$ > '{PidFile}'; exec sleep 300")
            exec sleep 300
            """;
        var info = new ProcessStartInfo("/bin/bash") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(parentScript);
        info.ArgumentList.Add("parent");
        info.ArgumentList.Add(SupervisedProcess.SupervisorScript);
        using var parent = Process.Start(info)!;
        var pid = await ReadPidAsync();

        parent.Kill();

        await Eventually.HoldsAsync(() => !IsAlive(pid), Deadline, $"the supervised program (pid {pid}) stops after its parent died");
    }

    [Fact]
    public async Task Program_ExitsOnItsOwn_ExitCodeAndOutputKept()
    {
        await using var process = SupervisedProcess.Start("/bin/sh", ["-c", "echo starting up; echo failed >&2; exit 3"], LogFile);

        await Eventually.HoldsAsync(() => process.HasExited, Deadline, "the program exits");

        Assert.Equal(3, process.ExitCode);
        Assert.Contains("starting up\nfailed", process.LogTail(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signal_Term_ReachesTheProgramAndWaitForExitAsyncReturnsItsCode()
    {
        // The program, not its supervisor, gets the signal: its trap decides the exit code.
        await using var process = SupervisedProcess.Start("/bin/sh", ["-c", $"trap 'exit 7' TERM; echo $$ > '{PidFile}'; while :; do sleep 0.1; done"], LogFile);
        var pid = await ReadPidAsync();
        await Eventually.HoldsAsync(() => File.Exists(LogFile + ".pid") && File.ReadAllText(LogFile + ".pid").EndsWith('\n'), Deadline, "the supervisor records the program's pid");
        Assert.Equal(pid, process.ProgramId);

        process.Signal("TERM");
        var exitCode = await process.WaitForExitAsync(Deadline);

        Assert.Equal(7, exitCode);
    }

    private async Task<int> ReadPidAsync()
    {
        await Eventually.HoldsAsync(() => File.Exists(PidFile) && File.ReadAllText(PidFile).EndsWith('\n'), Deadline, "the program writes its pid");
        return int.Parse(File.ReadAllText(PidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool IsAlive(int pid)
    {
        // A zombie still has a /proc entry; it no longer runs. Read, not checked first: the process may
        // go between a File.Exists and the read (CI saw DirectoryNotFoundException there).
        try
        {
            return !File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2].Equals("Z", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    public void Dispose() => _work.Delete(recursive: true);
}
