using System.Net;
using System.Net.Http.Json;
using System.Security.Authentication;
using System.Text.Json;
using Lamina.Kubernetes.Client;
using k8s;
using k8s.Models;
using Lamina.Testing;

namespace Lamina.Integration.Tests.Kubernetes;

/// <summary>Every <see cref="KubernetesObjectClient"/> operation against a real kube-apiserver, errors included.</summary>
[Collection(ApiServerCollection.Name)]
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class KubernetesClientTests(ApiServerFixture apiServer) : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly KubernetesObjectClient _client = apiServer.CreateKubernetesClient();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task CreateAsync_ThenGetAsync_ServerFieldsSetAndDataStored()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "create");

        var created = await _client.CreateAsync(TestObjects.Secret(ns, "s"));
        var read = await _client.GetAsync<V1Secret>(ns, "s");

        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.Equal(created.Metadata.Uid, read.Metadata.Uid);
        Assert.Equal("value"u8.ToArray(), read.Data!["key"]); // the library decodes the base64
    }

    [Fact]
    public async Task GetAsync_Missing_NotFoundWithServerMessageAndDetails()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "notfound");

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => _client.GetAsync<V1Secret>(ns, "nope"));

        Assert.True(error.IsNotFound);
        Assert.Equal(StatusReasons.NotFound, error.Reason);
        Assert.Equal("secrets \"nope\" not found", error.Message);
        Assert.Equal("nope", error.Status!.Details!.Name);
        Assert.Equal("secrets", error.Status.Details.Kind);
        Assert.Equal(404, error.Status.Code);
    }

    [Fact]
    public async Task CreateAsync_NameTaken_AlreadyExists()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "exists");
        await _client.CreateAsync(TestObjects.Secret(ns, "s"));

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => _client.CreateAsync(TestObjects.Secret(ns, "s")));

        Assert.True(error.IsAlreadyExists);
        Assert.False(error.IsConflict);
        Assert.Equal("secrets \"s\" already exists", error.Message);
    }

    [Fact]
    public async Task ReplaceAsync_StaleResourceVersion_Conflict()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "conflict");
        var stale = await _client.CreateAsync(TestObjects.Secret(ns, "s"));
        var fresh = await _client.GetAsync<V1Secret>(ns, "s");
        fresh.Metadata.Labels = new Dictionary<string, string> { ["edited"] = "yes" };
        await _client.ReplaceAsync(fresh);

        stale.Metadata.Labels = new Dictionary<string, string> { ["edited"] = "too" };
        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => _client.ReplaceAsync(stale));

        Assert.True(error.IsConflict);
        Assert.Equal(StatusReasons.Conflict, error.Reason);
        Assert.Contains("the object has been modified", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_InvalidDeployment_InvalidWithFieldCauses()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "invalid");
        var deployment = TestObjects.Deployment(ns, "web", replicas: -1);
        deployment.Spec!.Selector = null;

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => _client.CreateAsync(deployment));

        Assert.True(error.IsInvalid);
        Assert.Equal(StatusReasons.Invalid, error.Reason);
        Assert.StartsWith("Deployment.apps \"web\" is invalid", error.Message, StringComparison.Ordinal);
        var causes = error.Status!.Details!.Causes!;
        Assert.Contains(causes, c => c.Field == "spec.replicas" && c.Reason == "FieldValueInvalid" && c.Message!.Contains("greater than or equal to 0", StringComparison.Ordinal));
        Assert.Contains(causes, c => c.Field == "spec.selector" && c.Reason == "FieldValueRequired");
    }

    [Fact]
    public async Task ListAsync_MoreObjectsThanOnePage_ContinueTokensReturnEveryObjectOnce()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "pages");
        for (var i = 0; i < 25; i++)
        {
            await _client.CreateAsync(TestObjects.Secret(ns, $"s-{i:D2}"));
        }

        var names = new List<string>();
        var pages = new List<KubernetesList<V1Secret>>();
        string? next = null;
        do
        {
            var page = await _client.ListAsync<V1Secret>(ns, new ListOptions { Limit = 10, Continue = next });
            pages.Add(page);
            names.AddRange(page.Items.Select(s => s.Metadata.Name!));
            next = page.Metadata.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(next));

        Assert.Equal([10, 10, 5], pages.Select(p => p.Items.Count));
        Assert.Equal(15, pages[0].Metadata.RemainingItemCount);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"s-{i:D2}"), names);
        Assert.Single(pages.Select(p => p.Metadata.ResourceVersion).Distinct());
    }

    [Fact]
    public async Task ListAsync_LabelAndFieldSelectors_OnlyMatches()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "select");
        await _client.CreateAsync(TestObjects.Secret(ns, "a", new Dictionary<string, string> { ["tier"] = "web" }));
        await _client.CreateAsync(TestObjects.Secret(ns, "b", new Dictionary<string, string> { ["tier"] = "db" }));
        await _client.CreateAsync(TestObjects.Secret(ns, "c", new Dictionary<string, string> { ["tier"] = "web" }));

        var web = await _client.ListAsync<V1Secret>(ns, new ListOptions { LabelSelector = "tier=web" });
        var named = await _client.ListAsync<V1Secret>(ns, new ListOptions { FieldSelector = "metadata.name=b" });
        var both = await _client.ListAsync<V1Secret>(ns, new ListOptions { LabelSelector = "tier in (web,db)", FieldSelector = "metadata.name!=a" });

        Assert.Equal(["a", "c"], web.Items.Select(s => s.Metadata.Name));
        Assert.Equal(["b"], named.Items.Select(s => s.Metadata.Name));
        Assert.Equal(["b", "c"], both.Items.Select(s => s.Metadata.Name));
    }

    [Fact]
    public async Task ListAsync_AllNamespaces_FindsObjectsInSeveral()
    {
        var first = await TestObjects.NamespaceAsync(_client, "all-a");
        var second = await TestObjects.NamespaceAsync(_client, "all-b");
        var marker = new Dictionary<string, string> { ["run"] = Guid.NewGuid().ToString("N") };
        await _client.CreateAsync(TestObjects.Secret(first, "x", marker));
        await _client.CreateAsync(TestObjects.Secret(second, "y", marker));

        var all = await _client.ListAsync<V1Secret>(null, new ListOptions { LabelSelector = $"run={marker["run"]}" });

        Assert.Equal([$"{first}/x", $"{second}/y"], all.Items.Select(s => $"{s.Metadata.NamespaceProperty}/{s.Metadata.Name}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ClusterScoped_Namespace_CreateGetListDelete()
    {
        var name = $"cluster-{Guid.NewGuid():N}"[..20];

        await _client.CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["probe"] = name } } });
        var read = await _client.GetAsync<V1Namespace>(null, name);
        var listed = await _client.ListAsync<V1Namespace>(null, new ListOptions { LabelSelector = $"probe={name}" });
        await _client.DeleteAsync<V1Namespace>(null, name);
        var deleting = await _client.GetAsync<V1Namespace>(null, name);

        Assert.Equal(name, read.Metadata.Name);
        Assert.Equal(name, Assert.Single(listed.Items).Metadata.Name);
        Assert.NotNull(deleting.Metadata.DeletionTimestamp); // no namespace controller finishes the job here
    }

    [Fact]
    public async Task DeleteAsync_Background_GoneAtOnce()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "del-bg");
        await _client.CreateAsync(TestObjects.Deployment(ns, "web"));

        await _client.DeleteAsync<V1Deployment>(ns, "web", new DeleteOptions { PropagationPolicy = PropagationPolicy.Background });

        Assert.True((await Assert.ThrowsAsync<KubernetesApiException>(() => _client.GetAsync<V1Deployment>(ns, "web"))).IsNotFound);
    }

    [Theory]
    [InlineData(PropagationPolicy.Foreground, "foregroundDeletion")]
    [InlineData(PropagationPolicy.Orphan, "orphan")]
    public async Task DeleteAsync_PolicyThatWaitsForTheGarbageCollector_ObjectKeptWithThatFinalizer(PropagationPolicy policy, string finalizer)
    {
        var ns = await TestObjects.NamespaceAsync(_client, "del-gc");
        await _client.CreateAsync(TestObjects.Deployment(ns, "web"));

        await _client.DeleteAsync<V1Deployment>(ns, "web", new DeleteOptions { PropagationPolicy = policy });
        var deleting = await _client.GetAsync<V1Deployment>(ns, "web");

        // No garbage collector runs in the fixture, so the object waits with the policy's finalizer.
        Assert.NotNull(deleting.Metadata.DeletionTimestamp);
        Assert.Equal([finalizer], deleting.Metadata.Finalizers);

        await _client.MergePatchAsync<V1Deployment>(ns, "web", """{"metadata":{"finalizers":null}}""");
        var gone = await Assert.ThrowsAsync<KubernetesApiException>(() => _client.GetAsync<V1Deployment>(ns, "web"));
        Assert.True(gone.IsNotFound);
    }

    [Fact]
    public async Task DeleteAsync_PreconditionUid_OtherUidConflictsSameUidDeletes()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "del-uid");
        var created = await _client.CreateAsync(TestObjects.Secret(ns, "s"));

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() =>
            _client.DeleteAsync<V1Secret>(ns, "s", new DeleteOptions { PreconditionUid = "00000000-0000-0000-0000-000000000000" }));
        await _client.DeleteAsync<V1Secret>(ns, "s", new DeleteOptions { PreconditionUid = created.Metadata.Uid });

        Assert.True(error.IsConflict);
        Assert.Contains("the UID in the precondition (00000000-0000-0000-0000-000000000000) does not match the UID in record", error.Message, StringComparison.Ordinal);
        Assert.True((await Assert.ThrowsAsync<KubernetesApiException>(() => _client.GetAsync<V1Secret>(ns, "s"))).IsNotFound);
    }

    [Fact]
    public async Task DeleteAsync_GracePeriodZero_BoundPodGoneWithoutWaitingForKubelet()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "del-grace");
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = ns },
            // Bound to a node, so a graceful delete waits for that node's kubelet (which does not exist).
            Spec = new V1PodSpec { NodeName = "no-such-node", Containers = [new V1Container { Name = "c", Image = "registry.invalid/c:1" }] },
        };
        await _client.CreateAsync(pod);

        await _client.DeleteAsync<V1Pod>(ns, "p");
        var graceful = await _client.GetAsync<V1Pod>(ns, "p");
        await _client.DeleteAsync<V1Pod>(ns, "p", new DeleteOptions { GracePeriodSeconds = 0 });

        Assert.NotNull(graceful.Metadata.DeletionTimestamp);
        Assert.True((await Assert.ThrowsAsync<KubernetesApiException>(() => _client.GetAsync<V1Pod>(ns, "p"))).IsNotFound);
    }

    [Fact]
    public async Task DeleteAsync_Missing_NotFound()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "del-missing");

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => _client.DeleteAsync<V1Secret>(ns, "nope"));

        Assert.True(error.IsNotFound);
    }

    [Fact]
    public async Task ReplaceStatusAsync_Deployment_StatusWrittenSpecUntouched()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "status");
        var deployment = await _client.CreateAsync(TestObjects.Deployment(ns, "web", replicas: 2));
        deployment.Status = new V1DeploymentStatus { Replicas = 2, ReadyReplicas = 1, ObservedGeneration = 1 };
        deployment.Spec!.Replicas = 9; // ignored: the status subresource writes only status

        var written = await _client.ReplaceStatusAsync(deployment);
        var patched = await _client.MergePatchAsync<V1Deployment>(ns, "web", """{"status":{"availableReplicas":1}}""", "status");
        var read = await _client.GetAsync<V1Deployment>(ns, "web");

        Assert.Equal((2, 1), (written.Status!.Replicas!.Value, written.Status.ReadyReplicas!.Value));
        Assert.Equal(1, patched.Status!.AvailableReplicas);
        Assert.Equal(2, read.Spec!.Replicas);
        Assert.Equal((2, 1, 1), (read.Status!.Replicas!.Value, read.Status.ReadyReplicas!.Value, read.Status.AvailableReplicas!.Value));
    }

    [Fact]
    public async Task ReplaceAsync_StatusInBody_IgnoredByMainResource()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "status-main");
        var deployment = await _client.CreateAsync(TestObjects.Deployment(ns, "web"));
        deployment.Status = new V1DeploymentStatus { Replicas = 5 };

        var replaced = await _client.ReplaceAsync(deployment);

        Assert.Null(replaced.Status?.Replicas);
    }

    [Fact]
    public async Task ScaleSubresource_GetAndSet_ReplicasFollow()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "scale");
        await _client.CreateAsync(TestObjects.Deployment(ns, "web", replicas: 2));

        var before = await _client.GetScaleAsync<V1Deployment>(ns, "web");
        var after = await _client.SetScaleAsync<V1Deployment>(ns, "web", 5);
        var deployment = await _client.GetAsync<V1Deployment>(ns, "web");

        Assert.Equal(("Scale", "autoscaling/v1", 2), (before.Kind, before.ApiVersion, before.Spec!.Replicas!.Value));
        Assert.Equal("app=web", before.Status!.Selector);
        Assert.Equal(5, after.Spec!.Replicas);
        Assert.Equal(5, deployment.Spec!.Replicas);
        Assert.Equal(2, deployment.Metadata.Generation);
    }

    [Fact]
    public async Task ReplaceAsync_FieldsTheModelDoesNotName_SurviveGetReplaceRoundTrip()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "roundtrip");
        await _client.CreateAsync(TestObjects.Deployment(ns, "web"));
        await _client.MergePatchAsync<V1Deployment>(ns, "web", """
            {"spec":{"paused":true,"template":{"spec":{"hostname":"kept","dnsConfig":{"nameservers":["192.0.2.53"]}}}}}
            """);

        var read = await _client.GetAsync<V1Deployment>(ns, "web");
        read.Metadata.Labels = new Dictionary<string, string> { ["touched"] = "yes" };
        await _client.ReplaceAsync(read);

        using var http = apiServer.CreateHttpClient();
        using var raw = await http.GetFromJsonAsync<JsonDocument>($"/apis/apps/v1/namespaces/{ns}/deployments/web");
        var root = raw!.RootElement;
        Assert.Equal("yes", root.GetProperty("metadata").GetProperty("labels").GetProperty("touched").GetString());
        Assert.True(root.GetProperty("spec").GetProperty("paused").GetBoolean());
        var podSpec = root.GetProperty("spec").GetProperty("template").GetProperty("spec");
        Assert.Equal("kept", podSpec.GetProperty("hostname").GetString());
        Assert.Equal("192.0.2.53", podSpec.GetProperty("dnsConfig").GetProperty("nameservers")[0].GetString());
    }

    [Fact]
    public async Task WatchAsync_FromListVersion_AddedModifiedDeletedInOrder()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "watch");
        var list = await _client.ListAsync<V1Secret>(ns);
        using var cancel = new CancellationTokenSource(Deadline);
        var events = new List<WatchEvent<V1Secret>>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in _client.WatchAsync<V1Secret>(ns, new WatchOptions { ResourceVersion = list.Metadata.ResourceVersion, Timeout = Deadline }, cancel.Token))
            {
                lock (events)
                {
                    events.Add(e);
                    if (e.Type == WatchEventType.Deleted)
                    {
                        return;
                    }
                }
            }
        });

        var created = await _client.CreateAsync(TestObjects.Secret(ns, "s"));
        created.Metadata.Labels = new Dictionary<string, string> { ["v"] = "2" };
        var modified = await _client.ReplaceAsync(created);
        await _client.DeleteAsync<V1Secret>(ns, "s");
        await watching.WaitAsync(Deadline);

        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], events.Select(e => e.Type));
        Assert.Equal(modified.Metadata.ResourceVersion, events[1].Object.Metadata.ResourceVersion);
        Assert.Equal("2", events[1].Object.Metadata.Labels!["v"]);
    }

    [Fact]
    public async Task AnyRequest_WrongToken_UnauthorizedApiException()
    {
        var configuration = apiServer.ClientConfiguration;
        configuration.AccessToken = "wrong";
        using var client = new KubernetesObjectClient(new k8s.Kubernetes(configuration), disposeKubernetes: true);

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => client.ListAsync<V1Namespace>(null));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("Unauthorized", error.Reason);
    }

    [Fact]
    public async Task AnyRequest_OtherCertificateAuthority_TlsRefused()
    {
        using var other = TestCertificates.Create(DateTimeOffset.UtcNow);
        var configuration = apiServer.ClientConfiguration;
        configuration.SslCaCerts = [other.Authority];
        using var client = new KubernetesObjectClient(new k8s.Kubernetes(configuration), disposeKubernetes: true);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.ListAsync<V1Namespace>(null));

        Assert.IsType<AuthenticationException>(error.InnerException);
    }
}
