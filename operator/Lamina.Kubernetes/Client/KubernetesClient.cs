using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Lamina.Kubernetes.Configuration;
using Lamina.Kubernetes.Http;
using Lamina.Kubernetes.Models;
using Lamina.Kubernetes.Watch;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lamina.Kubernetes.Client;

/// <summary>
/// <see cref="IKubernetesClient"/> over HTTP: JSON in and out through source-generated metadata,
/// every non-2xx answer a <see cref="KubernetesApiException"/> with the server's Status, watches
/// streamed line by line. Thread-safe; create one per API server and share it.
/// </summary>
public sealed partial class KubernetesClient : IKubernetesClient, IDisposable
{
    private const string JsonMediaType = "application/json";
    private const string ApplyPatchMediaType = "application/apply-patch+yaml";
    private const string MergePatchMediaType = "application/merge-patch+json";
    private const string ManagedFields = "managedFields";

    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new(JsonMediaType);

    private readonly HttpClient _http;
    private readonly bool _ownsHttpClient;
    private readonly string _serverPrefix;
    private readonly TimeSpan _requestTimeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>A client for <paramref name="configuration"/>'s server, with its own pooled connections.</summary>
    public KubernetesClient(KubernetesClientConfiguration configuration, ILogger<KubernetesClient>? logger = null, TimeProvider? timeProvider = null)
        : this(KubernetesHttpClientFactory.CreateHttpClient(configuration ?? throw new ArgumentNullException(nameof(configuration))),
            ownsHttpClient: true, configuration.RequestTimeout, logger, timeProvider)
    {
    }

    /// <summary>
    /// A client over an <see cref="HttpClient"/> whose <see cref="HttpClient.BaseAddress"/> is the
    /// API server and which authenticates itself (tests, or a custom transport). Its
    /// <see cref="HttpClient.Timeout"/> caps watches too, so make it infinite for long watches;
    /// <paramref name="requestTimeout"/> bounds the other requests. The client is not disposed.
    /// </summary>
    public KubernetesClient(HttpClient httpClient, TimeSpan? requestTimeout = null, ILogger<KubernetesClient>? logger = null, TimeProvider? timeProvider = null)
        : this(httpClient, ownsHttpClient: false, requestTimeout ?? TimeSpan.FromSeconds(30), logger, timeProvider)
    {
    }

    private KubernetesClient(HttpClient httpClient, bool ownsHttpClient, TimeSpan requestTimeout, ILogger? logger, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        var server = httpClient.BaseAddress ?? throw new ArgumentException("the HttpClient needs a BaseAddress (the API server)", nameof(httpClient));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(requestTimeout, TimeSpan.Zero);
        _http = httpClient;
        _ownsHttpClient = ownsHttpClient;
        // Resource paths are absolute (/api/v1/…); a server behind a path prefix (a proxy) keeps it.
        _serverPrefix = server.GetLeftPart(UriPartial.Path).TrimEnd('/');
        _requestTimeout = requestTimeout;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public Task<T> GetAsync<T>(string? ns, string name, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return SendAsync(HttpMethod.Get, T.Resource.ObjectPath(ns, name), null, T.JsonTypeInfo, cancellationToken);
    }

    /// <inheritdoc />
    public Task<KubernetesList<T>> ListAsync<T>(string? ns, ListOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<T>
    {
        var path = new QueryStringBuilder(T.Resource.CollectionPath(ns))
            .Add("limit", options?.Limit)
            .Add("continue", options?.Continue)
            .Add("labelSelector", options?.LabelSelector)
            .Add("fieldSelector", options?.FieldSelector)
            .Add("resourceVersion", options?.ResourceVersion)
            .ToString();
        return SendAsync(HttpMethod.Get, path, null, T.ListJsonTypeInfo, cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(string? ns, WatchOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<T>
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = new QueryStringBuilder(T.Resource.CollectionPath(ns))
            .Add("watch", true)
            .Add("resourceVersion", options.ResourceVersion)
            .Add("allowWatchBookmarks", options.AllowBookmarks ? "true" : null)
            .Add("timeoutSeconds", options.Timeout is { } timeout ? (long)Math.Ceiling(timeout.TotalSeconds) : null)
            .Add("labelSelector", options.LabelSelector)
            .Add("fieldSelector", options.FieldSelector)
            .ToString();

        using var request = NewRequest(HttpMethod.Get, path, null);
        HttpResponseMessage response;
        // Only the wait for the response headers is bounded: the stream itself lasts as long as the server keeps it.
        using (var deadline = new CancellationTokenSource(_requestTimeout, _timeProvider))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token))
        {
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    using (response)
                    {
                        throw await FailureAsync(response, request.Method, path, linked.Token).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw TimedOut(request.Method, path, e);
            }
        }

        using (response)
        {
            LogWatchOpened(path);
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                await foreach (var item in WatchStreamReader.ReadAsync<T>(stream, cancellationToken).ConfigureAwait(false))
                {
                    yield return item;
                }
            }
        }
    }

    /// <inheritdoc />
    public Task<T> CreateAsync<T>(T item, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<T>
    {
        ArgumentNullException.ThrowIfNull(item);
        var path = T.Resource.CollectionPath(NamespaceOf(item));
        return SendAsync(HttpMethod.Post, path, Json(item, JsonMediaType), T.JsonTypeInfo, cancellationToken);
    }

    /// <inheritdoc />
    public Task<T> ReplaceAsync<T>(T item, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<T>
    {
        ArgumentNullException.ThrowIfNull(item);
        return SendAsync(HttpMethod.Put, T.Resource.ObjectPath(NamespaceOf(item), NameOf(item)), Json(item, JsonMediaType), T.JsonTypeInfo, cancellationToken);
    }

    /// <inheritdoc />
    public Task<T> ApplyAsync<T>(T item, ApplyOptions options, string? subresource = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<T>
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.FieldManager, nameof(options));
        var path = new QueryStringBuilder(T.Resource.ObjectPath(NamespaceOf(item), NameOf(item), subresource))
            .Add("fieldManager", options.FieldManager)
            .Add("force", options.Force)
            .ToString();
        return SendAsync(HttpMethod.Patch, path, ApplyBody(item), T.JsonTypeInfo, cancellationToken);
    }

    /// <inheritdoc />
    public Task<T> MergePatchAsync<T>(string? ns, string name, string patchJson, string? subresource = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(patchJson);
        var content = Body(Encoding.UTF8.GetBytes(patchJson), MergePatchMediaType);
        return SendAsync(HttpMethod.Patch, T.Resource.ObjectPath(ns, name, subresource), content, T.JsonTypeInfo, cancellationToken);
    }

    /// <inheritdoc />
    public Task<T> ReplaceStatusAsync<T>(T item, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<T>
    {
        ArgumentNullException.ThrowIfNull(item);
        return SendAsync(HttpMethod.Put, T.Resource.ObjectPath(NamespaceOf(item), NameOf(item), "status"), Json(item, JsonMediaType), T.JsonTypeInfo, cancellationToken);
    }

    /// <inheritdoc />
    public Task<Scale> GetScaleAsync<T>(string? ns, string name, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return SendAsync(HttpMethod.Get, T.Resource.ObjectPath(ns, name, "scale"), null, Scale.JsonTypeInfo, cancellationToken);
    }

    /// <inheritdoc />
    public Task<Scale> SetScaleAsync<T>(string? ns, string name, int replicas, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(replicas);
        // A merge patch touches only spec.replicas, so it never conflicts with a concurrent writer the way a PUT of the Scale would.
        var patch = string.Create(CultureInfo.InvariantCulture, $$$"""{"spec":{"replicas":{{{replicas}}}}}""");
        var content = Body(Encoding.UTF8.GetBytes(patch), MergePatchMediaType);
        return SendAsync(HttpMethod.Patch, T.Resource.ObjectPath(ns, name, "scale"), content, Scale.JsonTypeInfo, cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteAsync<T>(string? ns, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var content = options is null ? null : Body(DeleteOptionsJson.Write(options), JsonMediaType);
        // The answer is the object (when finalizers keep it) or a Status; callers need neither.
        return SendAsync(HttpMethod.Delete, T.Resource.ObjectPath(ns, name), content, static (_, _) => Task.FromResult(true), cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttpClient)
        {
            _http.Dispose();
        }
    }

    private Task<TResult> SendAsync<TResult>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<TResult> resultType, CancellationToken cancellationToken) =>
        SendAsync(method, path, content, async (response, token) =>
        {
            var stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync(stream, resultType, token).ConfigureAwait(false)
                    ?? throw new InvalidDataException($"{method} {path}: the API server answered null");
            }
        }, cancellationToken);

    private async Task<TResult> SendAsync<TResult>(
        HttpMethod method, string path, HttpContent? content, Func<HttpResponseMessage, CancellationToken, Task<TResult>> read, CancellationToken cancellationToken)
    {
        using var request = NewRequest(method, path, content);
        using var deadline = new CancellationTokenSource(_requestTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw await FailureAsync(response, method, path, linked.Token).ConfigureAwait(false);
            }

            return await read(response, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(method, path, e);
        }
    }

    private async Task<KubernetesApiException> FailureAsync(HttpResponseMessage response, HttpMethod method, string path, CancellationToken cancellationToken)
    {
        var error = await ApiErrorReader.ReadAsync(response, method.Method, path, cancellationToken).ConfigureAwait(false);
        LogRequestFailed(method.Method, path, (int)response.StatusCode, error.Reason, error.Message);
        return error;
    }

    private TimeoutException TimedOut(HttpMethod method, string path, Exception inner) =>
        new($"{method} {path}: no answer from the API server within {_requestTimeout.TotalSeconds} s", inner);

    private HttpRequestMessage NewRequest(HttpMethod method, string path, HttpContent? content)
    {
        var request = new HttpRequestMessage(method, new Uri(_serverPrefix + path, UriKind.Absolute)) { Content = content };
        request.Headers.Accept.Add(AcceptJson);
        return request;
    }

    private static ByteArrayContent Json<T>(T item, string mediaType)
        where T : class, IKubernetesObject<T> =>
        Body(JsonSerializer.SerializeToUtf8Bytes(item, T.JsonTypeInfo), mediaType);

    /// <summary>
    /// JSON is YAML, so the apply body is the object's JSON under the apply-patch content type. The
    /// server refuses an apply that carries managedFields, which an object read back from the
    /// server does; they are left out so such an object can be applied as it is.
    /// </summary>
    private static ByteArrayContent ApplyBody<T>(T item)
        where T : class, IKubernetesObject<T>
    {
        if (item.Metadata?.ExtensionData?.ContainsKey(ManagedFields) != true)
        {
            return Json(item, ApplyPatchMediaType);
        }

        var node = JsonSerializer.SerializeToNode(item, T.JsonTypeInfo)!.AsObject();
        (node["metadata"] as JsonObject)?.Remove(ManagedFields);
        return Body(Encoding.UTF8.GetBytes(node.ToJsonString()), ApplyPatchMediaType);
    }

    private static ByteArrayContent Body(byte[] bytes, string mediaType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    private static string NameOf<T>(T item)
        where T : class, IKubernetesObject<T> =>
        item.Metadata?.Name is { Length: > 0 } name ? name : throw new ArgumentException($"the {T.Resource.Kind} has no metadata.name", nameof(item));

    private static string? NamespaceOf<T>(T item)
        where T : class, IKubernetesObject<T>
    {
        var ns = item.Metadata?.Namespace;
        if (T.Resource.Namespaced && string.IsNullOrEmpty(ns))
        {
            throw new ArgumentException($"the {T.Resource.Kind} has no metadata.namespace (the resource is namespaced)", nameof(item));
        }

        return T.Resource.Namespaced ? ns : null;
    }
}
