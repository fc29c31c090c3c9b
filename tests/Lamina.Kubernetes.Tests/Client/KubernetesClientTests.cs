using System.Net;
using System.Text;
using System.Text.Json;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Models;
using Lamina.Testing;

namespace Lamina.Kubernetes.Tests.Client;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class KubernetesClientTests : IDisposable
{
    private const string Server = "https://api.test:6443";
    private readonly ScriptedHttpHandler _handler = new();
    private readonly HttpClient _http;
    private readonly ManualTimeProvider _time = new();
    private readonly KubernetesClient _client;

    public KubernetesClientTests()
    {
        _http = new HttpClient(_handler) { BaseAddress = new Uri(Server), Timeout = Timeout.InfiniteTimeSpan };
        _client = new KubernetesClient(_http, TimeSpan.FromSeconds(30), timeProvider: _time);
    }

    public void Dispose()
    {
        _client.Dispose();
        _http.Dispose();
        _handler.Dispose();
    }

    [Fact]
    public async Task GetAsync_NamespacedObject_GetsObjectPathAndDecodes()
    {
        _handler.Respond = (_, _) => Task.FromResult(ScriptedHttpHandler.Json(HttpStatusCode.OK,
            """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"prod","resourceVersion":"7"},"spec":{"replicas":3,"paused":true}}"""));

        var deployment = await _client.GetAsync<Deployment>("prod", "web");

        Assert.Equal("GET", _handler.Last.Method);
        Assert.Equal($"{Server}/apis/apps/v1/namespaces/prod/deployments/web", _handler.Last.Uri);
        Assert.Equal("application/json", _handler.Last.Accept);
        Assert.Equal(3, deployment.Spec!.Replicas);
        Assert.Equal("7", deployment.Metadata.ResourceVersion);
        Assert.True(deployment.Spec.ExtensionData!["paused"].GetBoolean());
    }

    [Fact]
    public async Task GetAsync_ClusterScoped_NoNamespaceInPath()
    {
        await _client.GetAsync<Namespace>("ignored", "team-a");

        Assert.Equal($"{Server}/api/v1/namespaces/team-a", _handler.Last.Uri);
    }

    [Fact]
    public async Task GetAsync_ServerBehindPathPrefix_PrefixKept()
    {
        using var http = new HttpClient(_handler) { BaseAddress = new Uri("https://rancher.test/k8s/clusters/c-1/") };
        using var client = new KubernetesClient(http);

        await client.GetAsync<Secret>("ns", "s");

        Assert.Equal("https://rancher.test/k8s/clusters/c-1/api/v1/namespaces/ns/secrets/s", _handler.Last.Uri);
    }

    [Fact]
    public async Task ListAsync_EveryOption_EscapedInQuery()
    {
        _handler.Respond = (_, _) => Task.FromResult(ScriptedHttpHandler.Json(HttpStatusCode.OK,
            """{"kind":"SecretList","metadata":{"resourceVersion":"99","continue":"next-page","remainingItemCount":5},"items":[{"metadata":{"name":"a","namespace":"ns"}}]}"""));

        var page = await _client.ListAsync<Secret>("ns", new ListOptions
        {
            Limit = 10,
            Continue = "abc=",
            LabelSelector = "app in (a,b),tier!=x",
            FieldSelector = "metadata.name=a",
            ResourceVersion = "0",
        });

        Assert.Equal(
            $"{Server}/api/v1/namespaces/ns/secrets?limit=10&continue=abc%3D&labelSelector=app%20in%20%28a%2Cb%29%2Ctier%21%3Dx&fieldSelector=metadata.name%3Da&resourceVersion=0",
            _handler.Last.Uri);
        Assert.Equal("99", page.Metadata.ResourceVersion);
        Assert.Equal("next-page", page.Metadata.Continue);
        Assert.Equal(5, page.Metadata.RemainingItemCount);
        var item = Assert.Single(page.Items);
        Assert.Equal("a", item.Metadata.Name);
        Assert.Equal("v1", item.ApiVersion); // list items carry no type metadata; the model's default fills it
    }

    [Fact]
    public async Task ListAsync_AllNamespaces_CollectionWithoutNamespace()
    {
        _handler.Respond = (_, _) => Task.FromResult(ScriptedHttpHandler.Json(HttpStatusCode.OK, """{"metadata":{},"items":[]}"""));

        await _client.ListAsync<Deployment>(null);

        Assert.Equal($"{Server}/apis/apps/v1/deployments", _handler.Last.Uri);
    }

    [Fact]
    public async Task CreateAsync_Object_PostsJsonWithoutNullsToCollection()
    {
        await _client.CreateAsync(new Secret { Metadata = new ObjectMeta { Name = "s", Namespace = "ns" }, StringData = new Dictionary<string, string> { ["k"] = "v" } });

        Assert.Equal("POST", _handler.Last.Method);
        Assert.Equal($"{Server}/api/v1/namespaces/ns/secrets", _handler.Last.Uri);
        Assert.Equal("application/json", _handler.Last.ContentType);
        Assert.Equal("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"ns"},"stringData":{"k":"v"}}""", _handler.Last.Body);
    }

    [Fact]
    public async Task CreateAsync_NamespacedWithoutNamespace_ArgumentExceptionBeforeAnyRequest()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _client.CreateAsync(new Secret { Metadata = new ObjectMeta { Name = "s" } }));

        Assert.Contains("metadata.namespace", error.Message, StringComparison.Ordinal);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task ReplaceAsync_Object_PutsToObjectPath()
    {
        await _client.ReplaceAsync(new Secret { Metadata = new ObjectMeta { Name = "s", Namespace = "ns", ResourceVersion = "5" } });

        Assert.Equal("PUT", _handler.Last.Method);
        Assert.Equal($"{Server}/api/v1/namespaces/ns/secrets/s", _handler.Last.Uri);
        Assert.Contains("\"resourceVersion\":\"5\"", _handler.Last.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyAsync_Forced_PatchWithApplyContentTypeManagerAndForce()
    {
        await _client.ApplyAsync(new Secret { Metadata = new ObjectMeta { Name = "s", Namespace = "ns" } }, new ApplyOptions("lamina-operator", Force: true));

        Assert.Equal("PATCH", _handler.Last.Method);
        Assert.Equal($"{Server}/api/v1/namespaces/ns/secrets/s?fieldManager=lamina-operator&force=true", _handler.Last.Uri);
        Assert.Equal("application/apply-patch+yaml", _handler.Last.ContentType);
        Assert.Equal("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"ns"}}""", _handler.Last.Body);
    }

    [Fact]
    public async Task ApplyAsync_ObjectReadFromServer_ManagedFieldsLeftOutEverythingElseKept()
    {
        var read = JsonSerializer.Deserialize("""
            {"metadata":{"name":"s","namespace":"ns","managedFields":[{"manager":"kubectl"}],"selfLink":"/x"},"immutable":true}
            """, Secret.JsonTypeInfo)!;

        await _client.ApplyAsync(read, new ApplyOptions("m"));

        Assert.Equal("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"ns","selfLink":"/x"},"immutable":true}""", _handler.Last.Body);
        Assert.True(read.Metadata.ExtensionData!.ContainsKey("managedFields")); // the caller's object is not changed
    }

    [Fact]
    public async Task ApplyAsync_StatusSubresourceNotForced_StatusPathForceFalse()
    {
        await _client.ApplyAsync(new Deployment { Metadata = new ObjectMeta { Name = "d", Namespace = "ns" } }, new ApplyOptions("m"), "status");

        Assert.Equal($"{Server}/apis/apps/v1/namespaces/ns/deployments/d/status?fieldManager=m&force=false", _handler.Last.Uri);
    }

    [Fact]
    public async Task MergePatchAsync_Subresource_MergePatchContentTypeAndBodyAsGiven()
    {
        await _client.MergePatchAsync<Deployment>("ns", "d", """{"status":{"replicas":2}}""", "status");

        Assert.Equal("PATCH", _handler.Last.Method);
        Assert.Equal($"{Server}/apis/apps/v1/namespaces/ns/deployments/d/status", _handler.Last.Uri);
        Assert.Equal("application/merge-patch+json", _handler.Last.ContentType);
        Assert.Equal("""{"status":{"replicas":2}}""", _handler.Last.Body);
    }

    [Fact]
    public async Task ReplaceStatusAsync_Object_PutsToStatus()
    {
        await _client.ReplaceStatusAsync(new Deployment { Metadata = new ObjectMeta { Name = "d", Namespace = "ns" }, Status = new DeploymentStatus { Replicas = 1 } });

        Assert.Equal("PUT", _handler.Last.Method);
        Assert.Equal($"{Server}/apis/apps/v1/namespaces/ns/deployments/d/status", _handler.Last.Uri);
        Assert.Contains("\"status\":{\"replicas\":1}", _handler.Last.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetScaleAsync_Deployment_GetsScaleSubresource()
    {
        _handler.Respond = (_, _) => Task.FromResult(ScriptedHttpHandler.Json(HttpStatusCode.OK,
            """{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"d"},"spec":{"replicas":4},"status":{"replicas":2,"selector":"app=d"}}"""));

        var scale = await _client.GetScaleAsync<Deployment>("ns", "d");

        Assert.Equal($"{Server}/apis/apps/v1/namespaces/ns/deployments/d/scale", _handler.Last.Uri);
        Assert.Equal(4, scale.Spec!.Replicas);
        Assert.Equal(2, scale.Status!.Replicas);
        Assert.Equal("app=d", scale.Status.Selector);
    }

    [Fact]
    public async Task SetScaleAsync_Replicas_MergePatchOfSpecReplicasOnScale()
    {
        await _client.SetScaleAsync<Deployment>("ns", "d", 7);

        Assert.Equal("PATCH", _handler.Last.Method);
        Assert.Equal($"{Server}/apis/apps/v1/namespaces/ns/deployments/d/scale", _handler.Last.Uri);
        Assert.Equal("application/merge-patch+json", _handler.Last.ContentType);
        Assert.Equal("""{"spec":{"replicas":7}}""", _handler.Last.Body);
    }

    [Fact]
    public async Task DeleteAsync_EveryOption_DeleteOptionsBody()
    {
        await _client.DeleteAsync<Deployment>("ns", "d", new DeleteOptions { PropagationPolicy = PropagationPolicy.Foreground, PreconditionUid = "u-1", GracePeriodSeconds = 0 });

        Assert.Equal("DELETE", _handler.Last.Method);
        Assert.Equal($"{Server}/apis/apps/v1/namespaces/ns/deployments/d", _handler.Last.Uri);
        Assert.Equal("application/json", _handler.Last.ContentType);
        Assert.Equal(
            """{"apiVersion":"v1","kind":"DeleteOptions","propagationPolicy":"Foreground","gracePeriodSeconds":0,"preconditions":{"uid":"u-1"}}""",
            _handler.Last.Body);
    }

    [Fact]
    public async Task DeleteAsync_NoOptions_NoBody()
    {
        await _client.DeleteAsync<Secret>("ns", "s");

        Assert.Null(_handler.Last.Body);
    }

    [Fact]
    public async Task GetAsync_NotFoundStatus_ApiExceptionWithStatus()
    {
        _handler.Respond = (_, _) => Task.FromResult(ScriptedHttpHandler.Json(HttpStatusCode.NotFound,
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"secrets \"s\" not found","reason":"NotFound","details":{"name":"s","kind":"secrets"},"code":404}"""));

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => _client.GetAsync<Secret>("ns", "s"));

        Assert.True(error.IsNotFound);
        Assert.Equal(StatusReasons.NotFound, error.Reason);
        Assert.Equal("secrets \"s\" not found", error.Message);
        Assert.Equal("s", error.Status!.Details!.Name);
    }

    [Fact]
    public async Task DeleteAsync_ServerError_ApiExceptionToo()
    {
        _handler.Respond = (_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("etcd is down") });

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => _client.DeleteAsync<Secret>("ns", "s"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Null(error.Status);
        Assert.Equal("DELETE /api/v1/namespaces/ns/secrets/s: the API server answered 503 Service Unavailable: etcd is down", error.Message);
    }

    [Fact]
    public async Task WatchAsync_Options_WatchQueryAndDecodedEvents()
    {
        _handler.Respond = (_, _) => Task.FromResult(ScriptedHttpHandler.Json(HttpStatusCode.OK,
            """
            {"type":"ADDED","object":{"metadata":{"name":"a","namespace":"ns","resourceVersion":"11"}}}
            {"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"15"}}}

            """));

        var events = new List<WatchEvent<Secret>>();
        await foreach (var e in _client.WatchAsync<Secret>("ns", new WatchOptions { ResourceVersion = "10", Timeout = TimeSpan.FromMinutes(5), LabelSelector = "app=x" }))
        {
            events.Add(e);
        }

        Assert.Equal(
            $"{Server}/api/v1/namespaces/ns/secrets?watch=true&resourceVersion=10&allowWatchBookmarks=true&timeoutSeconds=300&labelSelector=app%3Dx",
            _handler.Last.Uri);
        Assert.Equal([WatchEventType.Added, WatchEventType.Bookmark], events.Select(e => e.Type));
        Assert.Equal("15", events[1].Object.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task WatchAsync_GoneAnswer_ApiExceptionIsGone()
    {
        _handler.Respond = (_, _) => Task.FromResult(ScriptedHttpHandler.Json(HttpStatusCode.Gone,
            """{"kind":"Status","status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}"""));

        var error = await Assert.ThrowsAsync<KubernetesApiException>(async () =>
        {
            await foreach (var _ in _client.WatchAsync<Secret>("ns", new WatchOptions { ResourceVersion = "1", AllowBookmarks = false }))
            {
            }
        });

        Assert.True(error.IsGone);
        Assert.DoesNotContain("allowWatchBookmarks", _handler.Last.Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_NoAnswerWithinRequestTimeout_TimeoutException()
    {
        var received = new TaskCompletionSource();
        _handler.Respond = async (_, token) =>
        {
            received.TrySetResult();
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        };

        var get = _client.GetAsync<Secret>("ns", "slow");
        await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromSeconds(30));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => get);
        Assert.Contains("GET /api/v1/namespaces/ns/secrets/slow", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_CallerCancels_OperationCanceledNotTimeout()
    {
        using var cancel = new CancellationTokenSource();
        _handler.Respond = async (_, token) =>
        {
            await cancel.CancelAsync();
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _client.GetAsync<Secret>("ns", "s", cancel.Token));
    }

    [Fact]
    public void Serialization_TimeFields_WholeSecondsUtcAsTheServerWrites()
    {
        var secret = new Secret { Metadata = new ObjectMeta { Name = "s", CreationTimestamp = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)) } };

        var json = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(secret, Secret.JsonTypeInfo));

        Assert.Contains("\"creationTimestamp\":\"2026-01-02T01:04:05Z\"", json, StringComparison.Ordinal);
    }
}
