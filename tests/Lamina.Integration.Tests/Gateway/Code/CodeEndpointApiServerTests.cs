using System.Net;
using System.Net.Http.Headers;
using k8s;
using k8s.Models;
using Lamina.Contracts.Code;
using Lamina.Gateway.Code;
using Lamina.Gateway.Tests.Code;
using Lamina.Integration.Tests.Kubernetes;
using Lamina.Kubernetes.Client;
using Lamina.Testing;

namespace Lamina.Integration.Tests.Gateway.Code;

/// <summary>
/// The code endpoint against a real kube-apiserver: ServiceAccounts and Pod objects (no kubelet runs,
/// the objects are enough), tokens minted by the TokenRequest API and bound to a pod, reviewed by
/// the TokenReview API; the blobs from an in-memory store.
/// </summary>
[Collection(ApiServerCollection.Name)]
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class CodeEndpointApiServerTests(ApiServerFixture apiServer) : IAsyncDisposable
{
    private static readonly byte[] Zip = "PK\u0003\u0004 the function's code"u8.ToArray();
    private static readonly byte[] LayerZip = "PK\u0003\u0004 a layer"u8.ToArray();

    private readonly KubernetesObjectClient _client = apiServer.CreateKubernetesClient();
    private readonly k8s.Kubernetes _kubernetes = apiServer.CreateKubernetes();
    private readonly HttpClient _http = new();
    private readonly InMemoryCodeBlobSource _store = new();
    private readonly List<CodeEndpointHost> _hosts = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        _http.Dispose();
        _kubernetes.Dispose();
        _client.Dispose();
    }

    [Fact]
    public async Task Get_APodsOwnCodeAndLayer_200WithTheBytes()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "code");
        var pod = await FunctionPodAsync(ns, "orders");
        var token = await TokenAsync(pod);
        _store.With(ns, CodePods.CodeHex, Zip).With(ns, CodePods.LayerHex, LayerZip);
        var host = await HostAsync();

        using var code = await GetAsync(host, ns, CodePods.CodeHex, token);
        Assert.Equal(HttpStatusCode.OK, code.StatusCode);
        Assert.Equal(Zip, await code.Content.ReadAsByteArrayAsync());
        Assert.Equal(Zip.Length, code.Content.Headers.ContentLength);
        using var layer = await GetAsync(host, ns, CodePods.LayerHex, token);
        Assert.Equal(LayerZip, await layer.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Review_APodBoundToken_ItsServiceAccountAndPod()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "code");
        var pod = await FunctionPodAsync(ns, "orders");
        var token = await TokenAsync(pod);

        var reviewed = await new KubernetesTokenReviewer(_kubernetes).ReviewAsync(token, CancellationToken.None);

        Assert.Equal(new ReviewedToken($"system:serviceaccount:{ns}:orders", pod.Metadata.Name, pod.Metadata.Uid), reviewed);
        Assert.Null(await new KubernetesTokenReviewer(_kubernetes).ReviewAsync(token + "x", CancellationToken.None));
    }

    [Fact]
    public async Task Get_OnTheInvokePort_NotTheCodeEndpoint()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "code");
        var token = await TokenAsync(await FunctionPodAsync(ns, "orders"));
        _store.With(ns, CodePods.CodeHex, Zip);
        var host = await HostAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(host.InvokeAddress, CodeFetchContract.BlobPath(ns, CodePods.CodeHex)));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request);
        Assert.Equal("invoke", await response.Content.ReadAsStringAsync());
        Assert.Empty(_store.Opened);
    }

    [Fact]
    public async Task Get_ADigestThePodDoesNotName_403()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "code");
        var token = await TokenAsync(await FunctionPodAsync(ns, "orders"));
        var other = new string('c', 64);
        _store.With(ns, other, Zip);
        var host = await HostAsync();

        using var response = await GetAsync(host, ns, other, token);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(_store.Opened);
    }

    [Fact]
    public async Task Get_TokenOfAnotherNamespacesPod_403()
    {
        var ours = await TestObjects.NamespaceAsync(_client, "code");
        var theirs = await TestObjects.NamespaceAsync(_client, "code");
        await FunctionPodAsync(ours, "orders");
        // Their pod names the very same digest: the namespace alone decides.
        var theirToken = await TokenAsync(await FunctionPodAsync(theirs, "orders"));
        _store.With(ours, CodePods.CodeHex, Zip);
        var host = await HostAsync();

        using var response = await GetAsync(host, ours, CodePods.CodeHex, theirToken);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(_store.Opened);
    }

    [Fact]
    public async Task Get_ATokenOfAnotherAudience_401()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "code");
        var token = await TokenAsync(await FunctionPodAsync(ns, "orders"), audience: "https://kubernetes.default.svc.cluster.local");
        _store.With(ns, CodePods.CodeHex, Zip);
        var host = await HostAsync();

        using var response = await GetAsync(host, ns, CodePods.CodeHex, token);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Get_NoToken_401()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "code");
        _store.With(ns, CodePods.CodeHex, Zip);
        var host = await HostAsync();

        using var response = await GetAsync(host, ns, CodePods.CodeHex, token: null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Get_APodThatIsNotAFunctionPod_403()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "code");
        var token = await TokenAsync(await FunctionPodAsync(ns, "impostor", functionLabel: false));
        _store.With(ns, CodePods.CodeHex, Zip);
        var host = await HostAsync();

        using var response = await GetAsync(host, ns, CodePods.CodeHex, token);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Get_AfterThePodIsDeleted_Refused()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "code");
        var pod = await FunctionPodAsync(ns, "orders");
        var token = await TokenAsync(pod);
        _store.With(ns, CodePods.CodeHex, Zip);
        var host = await HostAsync();
        using (var before = await GetAsync(host, ns, CodePods.CodeHex, token))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        // Not bound to a node, the pod is deleted at once (there is no kubelet to wait for).
        await _client.DeleteAsync<V1Pod>(ns, pod.Metadata.Name);

        // With the review cached here, the pod's get refuses it. A gateway that reviews the token anew
        // may still be told it is valid (the API server checks the bound pod against its informer's
        // cache, which lags a deletion), so the pod's get is what refuses there too.
        using var cached = await GetAsync(host, ns, CodePods.CodeHex, token);
        Assert.Equal(HttpStatusCode.Forbidden, cached.StatusCode);
        var fresh = await HostAsync();
        using var reviewed = await GetAsync(fresh, ns, CodePods.CodeHex, token);
        Assert.True(reviewed.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized, $"answered {reviewed.StatusCode}");
    }

    [Fact]
    public async Task Get_APodOfTheSameNameMadeLater_403()
    {
        var ns = await TestObjects.NamespaceAsync(_client, "code");
        var first = await FunctionPodAsync(ns, "orders");
        var token = await TokenAsync(first);
        _store.With(ns, CodePods.CodeHex, Zip);
        var host = await HostAsync();
        using (var before = await GetAsync(host, ns, CodePods.CodeHex, token))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await _client.DeleteAsync<V1Pod>(ns, first.Metadata.Name);
        await _client.CreateAsync(FunctionPod(ns, "orders"));

        using var response = await GetAsync(host, ns, CodePods.CodeHex, token);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Get_ApiServerStopped_503()
    {
        // An API server of this test's own: the collection's is shared.
        var own = new ApiServer();
        await own.InitializeAsync();
        using var client = own.CreateKubernetesClient();
        string ns, token;
        try
        {
            ns = await TestObjects.NamespaceAsync(client, "code");
            await client.CreateAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "orders", NamespaceProperty = ns } });
            var pod = await client.CreateAsync(FunctionPod(ns, "orders"));
            using var kubernetes = own.CreateKubernetes();
            token = await TokenAsync(kubernetes, pod);
        }
        catch
        {
            await own.DisposeAsync();
            throw;
        }

        _store.With(ns, CodePods.CodeHex, Zip);
        var host = await HostAsync(client);
        var fresh = await HostAsync(client);
        using (var before = await GetAsync(host, ns, CodePods.CodeHex, token))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await own.DisposeAsync();

        // Its review cached, the pod's get fails; without it, the TokenReview fails: both 503.
        using var cached = await GetAsync(host, ns, CodePods.CodeHex, token);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, cached.StatusCode);
        using var reviewed = await GetAsync(fresh, ns, CodePods.CodeHex, token);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, reviewed.StatusCode);
    }

    private async Task<CodeEndpointHost> HostAsync(KubernetesObjectClient? kubernetes = null)
    {
        kubernetes ??= _client;
        var host = await CodeEndpointHost.StartAsync(kubernetes, kubernetes.Kubernetes, _store);
        _hosts.Add(host);
        return host;
    }

    private async Task<HttpResponseMessage> GetAsync(CodeEndpointHost host, string ns, string hex, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(host.CodeAddress, CodeFetchContract.BlobPath(ns, hex)));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await _http.SendAsync(request);
    }

    /// <summary>A ServiceAccount and a function pod running as it whose fetch step names <see cref="CodePods.CodeHex"/> and <see cref="CodePods.LayerHex"/>.</summary>
    private async Task<V1Pod> FunctionPodAsync(string ns, string name, bool functionLabel = true)
    {
        await _client.CreateAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns } });
        var pod = FunctionPod(ns, name);
        if (!functionLabel)
        {
            pod.Metadata.Labels.Remove(CodeAccessRules.FunctionLabel);
        }

        return await _client.CreateAsync(pod);
    }

    private static V1Pod FunctionPod(string ns, string name) => CodePods.Pod(p =>
    {
        p.Metadata.Name = name;
        p.Metadata.NamespaceProperty = ns;
        p.Metadata.Uid = null;
        p.Spec.ServiceAccountName = name;
        p.Spec.InitContainers[0].Args = CodePods.FetchArgs($"sha256:{CodePods.CodeHex}:{Zip.Length}", $"sha256:{CodePods.LayerHex}:{LayerZip.Length}");
    });

    /// <summary>What the kubelet would project into the pod: a TokenRequest bound to the pod.</summary>
    internal static async Task<string> TokenAsync(IKubernetes kubernetes, V1Pod pod, string audience = CodeFetchContract.TokenAudience)
    {
        var request = new Authenticationv1TokenRequest
        {
            Spec = new V1TokenRequestSpec
            {
                Audiences = [audience],
                ExpirationSeconds = 600,
                BoundObjectRef = new V1BoundObjectReference { ApiVersion = "v1", Kind = "Pod", Name = pod.Metadata.Name, Uid = pod.Metadata.Uid },
            },
        };
        var minted = await kubernetes.CoreV1.CreateNamespacedServiceAccountTokenAsync(request, pod.Spec.ServiceAccountName, pod.Metadata.NamespaceProperty);
        return minted.Status.Token;
    }

    private Task<string> TokenAsync(V1Pod pod, string audience = CodeFetchContract.TokenAudience) => TokenAsync(_kubernetes, pod, audience);
}
