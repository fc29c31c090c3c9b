using System.Threading.Channels;
using Lamina.Concurrency.V1;

namespace Lamina.Gateway.Tests.ConcurrencyClient;

/// <summary>One stream a gateway opened on a <see cref="FakeController"/>: what it sent, and what the test sends back.</summary>
internal sealed class FakeControllerStream
{
    /// <summary>The longest a test waits for a message from the gateway.</summary>
    private static readonly TimeSpan MessageDeadline = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly List<GatewayMessage> _received = [];
    private readonly List<(Func<GatewayMessage, bool> Match, int From, TaskCompletionSource<GatewayMessage> Found)> _waits = [];
    private readonly Channel<ControllerMessage> _outgoing = Channel.CreateUnbounded<ControllerMessage>();

    public ChannelReader<ControllerMessage> Outgoing => _outgoing.Reader;

    public IReadOnlyList<GatewayMessage> Received
    {
        get { lock (_gate) { return [.. _received]; } }
    }

    /// <summary>The stream's first message, which carries the Hello; fails after a deadline.</summary>
    public async Task<Hello> HelloAsync() => (await ReceivedAsync(static _ => true)).Hello;

    /// <summary>The first message from index <paramref name="from"/> on that matches; fails after a deadline.</summary>
    public Task<GatewayMessage> ReceivedAsync(Func<GatewayMessage, bool> match, int from = 0)
    {
        lock (_gate)
        {
            for (var i = from; i < _received.Count; i++)
            {
                if (match(_received[i]))
                {
                    return Task.FromResult(_received[i]);
                }
            }

            var found = new TaskCompletionSource<GatewayMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits.Add((match, from, found));
            return found.Task.WaitAsync(MessageDeadline);
        }
    }

    /// <summary>Sends a message to the gateway.</summary>
    public void Send(ControllerMessage message) => _outgoing.Writer.TryWrite(message);

    /// <summary>Ends the stream from the controller's side (status OK): the gateway reconnects. Safe to call twice.</summary>
    public void End() => _outgoing.Writer.TryComplete();

    public void Receive(GatewayMessage message)
    {
        lock (_gate)
        {
            _received.Add(message);
            var index = _received.Count - 1;
            foreach (var wait in _waits.Where(w => index >= w.From && w.Match(message)).ToList())
            {
                _waits.Remove(wait);
                wait.Found.TrySetResult(message);
            }
        }
    }
}
