using System.Globalization;
using System.Runtime.CompilerServices;
using Lamina.Kubernetes.Client;
using k8s;
using k8s.Models;

namespace Lamina.Kubernetes.Tests.Informers;

/// <summary>
/// An <see cref="IKubernetesClient"/> for Secrets whose lists and watches the test scripts: lists
/// answer from <see cref="SetList"/> one page at a time, and every watch is a
/// <see cref="ScriptedWatch"/> the test feeds, closes or fails. Records every list and watch call.
/// </summary>
internal sealed class ScriptedKubernetesClient : IKubernetesClient
{
    private readonly Lock _gate = new();
    private readonly List<ListOptions?> _lists = [];
    private readonly List<ScriptedWatch> _watches = [];
    private readonly Queue<Exception> _listFailures = new();
    private readonly Queue<Exception> _watchFailures = new();
    private List<V1Secret> _items = [];
    private string _resourceVersion = "1";

    public IReadOnlyList<ListOptions?> Lists
    {
        get { lock (_gate) { return [.. _lists]; } }
    }

    public IReadOnlyList<ScriptedWatch> Watches
    {
        get { lock (_gate) { return [.. _watches]; } }
    }

    public void SetList(string resourceVersion, params V1Secret[] items)
    {
        lock (_gate)
        {
            _resourceVersion = resourceVersion;
            _items = [.. items];
        }
    }

    public void FailNextList(Exception error)
    {
        lock (_gate)
        {
            _listFailures.Enqueue(error);
        }
    }

    /// <summary>The next watch throws <paramref name="error"/> when it starts.</summary>
    public void FailNextWatch(Exception error)
    {
        lock (_gate)
        {
            _watchFailures.Enqueue(error);
        }
    }

    public Task<KubernetesList<T>> ListAsync<T>(string? ns, ListOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        lock (_gate)
        {
            _lists.Add(options);
            if (_listFailures.TryDequeue(out var error))
            {
                throw error;
            }

            // Pages as the API server cuts them: the continue token is the next offset.
            var offset = options?.Continue is { } token ? int.Parse(token, CultureInfo.InvariantCulture) : 0;
            var limit = options?.Limit ?? int.MaxValue;
            var page = _items.Skip(offset).Take(limit).ToList();
            var next = offset + page.Count;
            return Task.FromResult((KubernetesList<T>)(object)new KubernetesList<V1Secret>(page, "v1", "SecretList", new V1ListMeta
            {
                ResourceVersion = _resourceVersion,
                ContinueProperty = next < _items.Count ? next.ToString(CultureInfo.InvariantCulture) : null,
            }));
        }
    }

    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(string? ns, WatchOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var watch = new ScriptedWatch(ns, options);
        Exception? failure;
        lock (_gate)
        {
            _watches.Add(watch);
            _watchFailures.TryDequeue(out failure);
        }

        if (failure is not null)
        {
            watch.Ended = true;
            throw failure;
        }

        try
        {
            await foreach (var item in watch.Events.Reader.ReadAllAsync(cancellationToken))
            {
                yield return (WatchEvent<T>)(object)item;
            }
        }
        finally
        {
            watch.Ended = true;
        }
    }

    public Task<T> GetAsync<T>(string? ns, string name, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => throw new NotSupportedException();

    public Task<T> CreateAsync<T>(T item, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => throw new NotSupportedException();

    public Task<T> ReplaceAsync<T>(T item, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => throw new NotSupportedException();

    public Task<T> ApplyAsync<T>(T item, ApplyOptions options, string? subresource = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => throw new NotSupportedException();

    public Task<T> MergePatchAsync<T>(string? ns, string name, string patchJson, string? subresource = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => throw new NotSupportedException();

    public Task<T> ReplaceStatusAsync<T>(T item, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => throw new NotSupportedException();

    public Task<V1Scale> GetScaleAsync<T>(string? ns, string name, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => throw new NotSupportedException();

    public Task<V1Scale> SetScaleAsync<T>(string? ns, string name, int replicas, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => throw new NotSupportedException();

    public Task DeleteAsync<T>(string? ns, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => throw new NotSupportedException();
}
