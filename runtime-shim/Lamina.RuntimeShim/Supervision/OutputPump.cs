using System.Buffers;
using System.IO.Pipes;

namespace Lamina.RuntimeShim.Supervision;

/// <summary>
/// Reads one of the runtime's output pipes on a thread of its own and hands every chunk on. It waits
/// with poll() and marks itself busy before it reads, so <see cref="IsIdle"/> can tell exactly that no
/// written byte is left unread: either the pipe holds bytes, or the pump is handling them. That is
/// what lets an invocation's log tail hold everything the function printed before it answered.
/// </summary>
internal sealed class OutputPump
{
    // A pipe holds 64 KB by default; reading up to that at once keeps a chatty runtime from stalling.
    private const int ChunkSize = 64 * 1024;

    private readonly AnonymousPipeClientStream _pipe;
    private readonly int _descriptor;
    private readonly Action<ReadOnlyMemory<byte>> _onChunk;
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _busy;

    public OutputPump(Stream pipe, string name, Action<ReadOnlyMemory<byte>> onChunk)
    {
        _pipe = pipe as AnonymousPipeClientStream
            ?? throw new InvalidOperationException($"expected the runtime's {name} to be a pipe, got {pipe.GetType().Name}");
        _descriptor = (int)_pipe.SafePipeHandle.DangerousGetHandle();
        _onChunk = onChunk;
        var thread = new Thread(Run) { IsBackground = true, Name = $"runtime {name}" };
        thread.Start();
    }

    /// <summary>Completes at end of file (the runtime and every process holding the pipe have exited).</summary>
    public Task Completion => _completed.Task;

    /// <summary>True when every byte written so far has been handed on.</summary>
    public bool IsIdle => _completed.Task.IsCompleted || (!_busy && NativeMethods.Available(_descriptor) == 0);

    private void Run()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            var poll = new NativeMethods.PollDescriptor { Descriptor = _descriptor, Events = NativeMethods.POLLIN };
            while (true)
            {
                poll.ReturnedEvents = 0;
                if (NativeMethods.Poll(ref poll, 1, -1) < 0)
                {
                    continue; // EINTR
                }

                _busy = true;
                var read = _pipe.Read(buffer, 0, buffer.Length);
                if (read == 0)
                {
                    break;
                }

                _onChunk(buffer.AsMemory(0, read));
                _busy = false;
            }
        }
        catch (IOException)
        {
            // The pipe broke: the same as end of file.
        }
        finally
        {
            _busy = false;
            ArrayPool<byte>.Shared.Return(buffer);
            _pipe.Dispose();
            _completed.TrySetResult();
        }
    }
}
