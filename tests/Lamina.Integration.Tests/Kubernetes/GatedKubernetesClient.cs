using System.Runtime.CompilerServices;
using Lamina.Kubernetes.Client;
using k8s;
using k8s.Models;

namespace Lamina.Integration.Tests.Kubernetes;

/// <summary>
/// Wraps a real client so a test can cut the informer's watch (as a server closing it would) and
/// keep new watches waiting while it changes things. Records lists, watch versions and the errors
/// watches ended with; everything else goes straight through.
/// </summary>
internal sealed class GatedKubernetesClient(IKubernetesClient inner) : IKubernetesClient
{
    private readonly Lock _gate = new();
    private readonly List<string?> _watchVersions = [];
    private readonly List<Exception> _watchErrors = [];
    private TaskCompletionSource _open = Opened();
    private CancellationTokenSource? _current;
    private int _lists;
    private int _waiting;
    private int _active;

    public int Lists => Volatile.Read(ref _lists);

    /// <summary>Watch calls held at the gate.</summary>
    public int WaitingWatches => Volatile.Read(ref _waiting);

    /// <summary>Watches passed through to the server and not yet ended.</summary>
    public int ActiveWatches => Volatile.Read(ref _active);

    public IReadOnlyList<string?> WatchVersions
    {
        get { lock (_gate) { return [.. _watchVersions]; } }
    }

    public IReadOnlyList<Exception> WatchErrors
    {
        get { lock (_gate) { return [.. _watchErrors]; } }
    }

    /// <summary>New watches wait until <see cref="ReleaseWatches"/>.</summary>
    public void HoldWatches()
    {
        lock (_gate)
        {
            _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void ReleaseWatches()
    {
        lock (_gate)
        {
            _open.TrySetResult();
        }
    }

    /// <summary>Ends the current watch as if the server had closed it.</summary>
    public void CloseCurrentWatch()
    {
        lock (_gate)
        {
            _current?.Cancel();
        }
    }

    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(string? ns, WatchOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        Task open;
        lock (_gate)
        {
            open = _open.Task;
        }

        Interlocked.Increment(ref _waiting);
        try
        {
            await open.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        using var closer = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, closer.Token);
        lock (_gate)
        {
            _watchVersions.Add(options.ResourceVersion);
            _current = closer;
        }

        Interlocked.Increment(ref _active);
        var events = inner.WatchAsync<T>(ns, options, linked.Token).GetAsyncEnumerator(linked.Token);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await events.MoveNextAsync();
                }
                catch (Exception) when (closer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    more = false; // closed by the test: a clean end of stream, as the server's close would be
                }
                catch (Exception e)
                {
                    lock (_gate)
                    {
                        _watchErrors.Add(e);
                    }

                    throw;
                }

                if (!more)
                {
                    yield break;
                }

                yield return events.Current;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _active);
            lock (_gate)
            {
                if (_current == closer)
                {
                    _current = null;
                }
            }

            await events.DisposeAsync();
        }
    }

    public Task<KubernetesList<T>> ListAsync<T>(string? ns, ListOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        Interlocked.Increment(ref _lists);
        return inner.ListAsync<T>(ns, options, cancellationToken);
    }

    public Task<T> GetAsync<T>(string? ns, string name, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => inner.GetAsync<T>(ns, name, cancellationToken);

    public Task<T> CreateAsync<T>(T item, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => inner.CreateAsync(item, cancellationToken);

    public Task<T> ReplaceAsync<T>(T item, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => inner.ReplaceAsync(item, cancellationToken);

    public Task<T> ApplyAsync<T>(T item, ApplyOptions options, string? subresource = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => inner.ApplyAsync(item, options, subresource, cancellationToken);

    public Task<T> MergePatchAsync<T>(string? ns, string name, string patchJson, string? subresource = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => inner.MergePatchAsync<T>(ns, name, patchJson, subresource, cancellationToken);

    public Task<T> ReplaceStatusAsync<T>(T item, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => inner.ReplaceStatusAsync(item, cancellationToken);

    public Task<V1Scale> GetScaleAsync<T>(string? ns, string name, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => inner.GetScaleAsync<T>(ns, name, cancellationToken);

    public Task<V1Scale> SetScaleAsync<T>(string? ns, string name, int replicas, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => inner.SetScaleAsync<T>(ns, name, replicas, cancellationToken);

    public Task DeleteAsync<T>(string? ns, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => inner.DeleteAsync<T>(ns, name, options, cancellationToken);

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource();
        open.SetResult();
        return open;
    }
}
