using System.Threading.Channels;
using Lamina.RuntimeShim.Supervision;

namespace Lamina.RuntimeShim.Tests.Fakes;

/// <summary>
/// Runtime processes without processes, for the supervisor: <see cref="Start"/> is its
/// <see cref="RuntimeStarter"/>; each start is handed to the test in order (<see cref="NextAsync"/>).
/// </summary>
internal sealed class FakeRuntimeProcesses
{
    private readonly Channel<FakeRuntimeProcess> _started = Channel.CreateUnbounded<FakeRuntimeProcess>();
    private int _count;

    public IRuntimeProcess Start(RuntimeLaunch launch, Action<ReadOnlyMemory<byte>, bool> onOutput)
    {
        var process = new FakeRuntimeProcess(Interlocked.Increment(ref _count));
        _started.Writer.TryWrite(process);
        return process;
    }

    /// <summary>The next process the supervisor starts (or started).</summary>
    public async Task<FakeRuntimeProcess> NextAsync() => await _started.Reader.ReadAsync().AsTask().Bounded();
}

/// <summary>One fake run: it ends when the test says so, when killed (<c>signal: killed</c>) or terminated.</summary>
internal sealed class FakeRuntimeProcess(int id) : IRuntimeProcess
{
    private readonly TaskCompletionSource<string> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _kills;

    public int Id { get; } = id;

    public Task<string> Exited => _exited.Task;

    public long? PeakMemoryBytes => null;

    /// <summary>How often the supervisor killed this process.</summary>
    public int Kills => Volatile.Read(ref _kills);

    /// <summary>The process ends by itself.</summary>
    public void Exit(string description) => _exited.TrySetResult(description);

    public void Kill()
    {
        Interlocked.Increment(ref _kills);
        _exited.TrySetResult("signal: killed");
    }

    public void Terminate() => _exited.TrySetResult("signal: terminated");

    public ValueTask FlushAsync(TimeSpan bound) => ValueTask.CompletedTask;

    public void Dispose()
    {
    }
}
