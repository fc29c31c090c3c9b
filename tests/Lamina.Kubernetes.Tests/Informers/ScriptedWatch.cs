using System.Threading.Channels;
using Lamina.Kubernetes.Client;
using k8s;
using k8s.Models;

namespace Lamina.Kubernetes.Tests.Informers;

/// <summary>One watch connection the test drives.</summary>
internal sealed class ScriptedWatch(string? ns, WatchOptions options)
{
    public string? Namespace { get; } = ns;

    public WatchOptions Options { get; } = options;

    public Channel<WatchEvent<V1Secret>> Events { get; } = Channel.CreateUnbounded<WatchEvent<V1Secret>>();

    private volatile bool _ended;

    /// <summary>The informer stopped reading (the stream ended, failed or was cancelled).</summary>
    public bool Ended
    {
        get => _ended;
        set => _ended = value;
    }

    public void Send(WatchEventType type, V1Secret item) => Events.Writer.TryWrite(new WatchEvent<V1Secret>(type, item));

    public void Bookmark(string resourceVersion) => Send(WatchEventType.Bookmark, new V1Secret { Metadata = new V1ObjectMeta { ResourceVersion = resourceVersion } });

    /// <summary>The server closes the stream.</summary>
    public void Close() => Events.Writer.TryComplete();

    /// <summary>The stream breaks (or carries an ERROR event) after the events sent so far.</summary>
    public void Fail(Exception error) => Events.Writer.TryComplete(error);
}
