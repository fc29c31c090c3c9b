using System.Diagnostics.Metrics;
using System.Text.Json;
using Lamina.Contracts.Code;
using Lamina.Gateway.Code;
using Lamina.Testing;
using Lamina.Testing.Fakes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Lamina.Gateway.Tests.Code.CodePods;

namespace Lamina.Gateway.Tests.Code;

/// <summary>The endpoint's answers as a pod sees them: statuses, headers, bytes and the outcome counted.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class CodeEndpointHandlerTests : IDisposable
{
    private const string Token = "pod-token";
    private static readonly byte[] Zip = [0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5];

    private readonly FakeTokenReviewer _reviewer = new FakeTokenReviewer().With(Token, CodePods.Token());
    private readonly FakeKubernetesClient _kubernetes = new();
    private readonly InMemoryCodeBlobSource _store = new InMemoryCodeBlobSource().With(Namespace, CodeHex, Zip);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MetricCollectors _meters;
    private readonly CodeMetrics _metrics;
    private readonly CodeFetchAuthorizer _authorizer;

    public CodeEndpointHandlerTests()
    {
        var meterFactory = _services.GetRequiredService<IMeterFactory>();
        _meters = new MetricCollectors(meterFactory);
        _metrics = new CodeMetrics(meterFactory);
        _kubernetes.Seed(Pod());
        _authorizer = new CodeFetchAuthorizer(_reviewer, _kubernetes, Options.Create(new CodeEndpointOptions()), new FakeTimeProvider(new DateTimeOffset(2026, 12, 8, 2, 0, 0, TimeSpan.Zero)), _metrics, NullLogger<CodeFetchAuthorizer>.Instance);
    }

    public void Dispose()
    {
        _meters.Dispose();
        _services.Dispose();
    }

    [Fact]
    public async Task Get_ItsOwnBlob_200WithTheBytesAndLength()
    {
        var response = await GetAsync(CodeFetchContract.BlobPath(Namespace, CodeHex));

        Assert.Equal(200, response.Status);
        Assert.Equal(Zip, response.Body);
        Assert.Equal(Zip.Length, response.Context.Response.ContentLength);
        Assert.Equal("application/octet-stream", response.Context.Response.ContentType);
        Assert.Equal("no-store", response.Context.Response.Headers.CacheControl.ToString());
        AssertCounted("served");
        Assert.Equal(Zip.Length, _meters.Sum(CodeMetrics.Bytes));
    }

    [Fact]
    public async Task Get_NoStoreConfigured_503BeforeAnyReview()
    {
        var response = await GetAsync(CodeFetchContract.BlobPath(Namespace, CodeHex), store: false);
        Assert.Equal(503, response.Status);
        Assert.Contains("no code store", response.Message, StringComparison.Ordinal);
        Assert.Equal(0, _reviewer.Reviews);
        AssertCounted("store_unconfigured");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task Get_NoBearerToken_401WithoutAReview(string? authorization)
    {
        var response = await GetAsync(CodeFetchContract.BlobPath(Namespace, CodeHex), authorization: authorization);
        Assert.Equal(401, response.Status);
        Assert.Equal("Bearer", response.Context.Response.Headers.WWWAuthenticate.ToString());
        Assert.Equal(0, _reviewer.Reviews);
        AssertCounted("unauthenticated");
    }

    [Fact]
    public async Task Get_TokenTheApiServerRefuses_401()
    {
        var response = await GetAsync(CodeFetchContract.BlobPath(Namespace, CodeHex), authorization: "Bearer forged");
        Assert.Equal(401, response.Status);
        Assert.Equal("Bearer", response.Context.Response.Headers.WWWAuthenticate.ToString());
        Assert.Empty(_store.Opened);
    }

    [Fact]
    public async Task Get_ADigestThePodDoesNotName_403AndTheStoreNotAsked()
    {
        var other = new string('c', 64);
        _store.With(Namespace, other, Zip);
        var response = await GetAsync(CodeFetchContract.BlobPath(Namespace, other));
        Assert.Equal(403, response.Status);
        Assert.Contains("does not name", response.Message, StringComparison.Ordinal);
        Assert.Empty(_store.Opened);
        AssertCounted("forbidden");
    }

    [Fact]
    public async Task Get_AnotherNamespacesPath_403()
    {
        _store.With("team-b", CodeHex, Zip);
        var response = await GetAsync(CodeFetchContract.BlobPath("team-b", CodeHex));
        Assert.Equal(403, response.Status);
        Assert.Empty(_store.Opened);
    }

    [Fact]
    public async Task Get_ApiServerDown_503()
    {
        _reviewer.Failure = new HttpRequestException("connection refused");
        var response = await GetAsync(CodeFetchContract.BlobPath(Namespace, CodeHex));
        Assert.Equal(503, response.Status);
        AssertCounted("kubernetes_unavailable");
    }

    [Fact]
    public async Task Get_BlobAbsent_404()
    {
        var response = await GetAsync(CodeFetchContract.BlobPath(Namespace, LayerHex));
        Assert.Equal(404, response.Status);
        Assert.Contains(LayerHex, response.Message, StringComparison.Ordinal);
        AssertCounted("not_found");
    }

    [Fact]
    public async Task Get_StoreFails_503()
    {
        _store.Failure = new HttpRequestException("registry unreachable");
        var response = await GetAsync(CodeFetchContract.BlobPath(Namespace, CodeHex));
        Assert.Equal(503, response.Status);
        AssertCounted("store_unavailable");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task Get_StoreSendsAnotherLengthThanItSaid_ConnectionCut(long lengthError)
    {
        _store.LengthError = lengthError;
        var response = await GetAsync(CodeFetchContract.BlobPath(Namespace, CodeHex));
        Assert.True(response.Aborted);
        AssertCounted("aborted");
        Assert.Equal(0, _meters.Sum(CodeMetrics.Bytes));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/2015-03-31/functions/orders/invocations")]
    [InlineData("/code/v1/namespaces/team-a/blobs/")]
    [InlineData("/code/v1/namespaces/Team-A/blobs/sha256:aaaa")]
    [InlineData("/code/v1/namespaces/../blobs/sha256:aaaa")]
    [InlineData("/code/v1/namespaces/team-a/manifests/sha256:aaaa")]
    [InlineData("/code/v1/namespaces/team-a/blobs/sha512:aaaa")]
    public async Task Get_NotABlobPath_404(string path)
    {
        var response = await GetAsync(path);
        Assert.Equal(404, response.Status);
        Assert.Equal(0, _reviewer.Reviews);
        AssertCounted("bad_request");
    }

    [Theory]
    [InlineData("aaaa")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/x")]
    public async Task Get_MalformedDigest_400(string hex)
    {
        var response = await GetAsync($"/code/v1/namespaces/team-a/blobs/sha256:{hex}");
        Assert.Equal(400, response.Status);
        Assert.Equal(0, _reviewer.Reviews);
    }

    [Fact]
    public async Task Post_405()
    {
        var response = await GetAsync(CodeFetchContract.BlobPath(Namespace, CodeHex), method: "POST");
        Assert.Equal(405, response.Status);
        Assert.Equal("GET", response.Context.Response.Headers.Allow.ToString());
    }

    private void AssertCounted(string outcome)
    {
        Assert.Equal(1, _meters.Sum(CodeMetrics.Fetches));
        Assert.Equal(1, _meters.Sum(CodeMetrics.Fetches, ("outcome", outcome)));
    }

    private sealed record Answer(HttpContext Context, int Status, byte[] Body, string? Message, bool Aborted);

    private sealed class AbortRecorder : IHttpRequestLifetimeFeature
    {
        public CancellationToken RequestAborted { get; set; }

        public bool Aborted { get; private set; }

        public void Abort() => Aborted = true;
    }

    private async Task<Answer> GetAsync(string path, string? authorization = "Bearer " + Token, string method = "GET", bool store = true)
    {
        var handler = new CodeEndpointHandler(_authorizer, _metrics, NullLogger<CodeEndpointHandler>.Instance, store ? _store : null);
        var context = new DefaultHttpContext();
        var lifetime = new AbortRecorder();
        context.Features.Set<IHttpRequestLifetimeFeature>(lifetime);
        context.Request.Method = method;
        context.Request.Path = path;
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        var body = new MemoryStream();
        context.Response.Body = body;
        await handler.HandleAsync(context);
        await context.Response.BodyWriter.FlushAsync();
        var bytes = body.ToArray();
        string? message = null;
        if (context.Response.ContentType == "application/json")
        {
            using var json = JsonDocument.Parse(bytes);
            message = json.RootElement.GetProperty("message").GetString();
        }

        return new Answer(context, context.Response.StatusCode, bytes, message, lifetime.Aborted);
    }
}
