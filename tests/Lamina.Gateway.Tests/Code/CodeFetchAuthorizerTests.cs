using System.Net;
using Lamina.Gateway.Code;
using Lamina.Testing;
using Lamina.Testing.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Lamina.Gateway.Tests.Code.CodePods;

namespace Lamina.Gateway.Tests.Code;

/// <summary>
/// The authorizer over a fake TokenReview and the recording Kubernetes fake: what it asks the API
/// server, what it caches, and that every failure to ask is a refusal. The rules themselves are
/// <see cref="CodeAccessRulesTests"/>; the real API server is the integration tier's.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class CodeFetchAuthorizerTests : IDisposable
{
    private const string Token = "pod-token";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 8, 2, 0, 0, TimeSpan.Zero));
    private readonly FakeTokenReviewer _reviewer = new FakeTokenReviewer().With(Token, CodePods.Token());
    private readonly FakeKubernetesClient _kubernetes = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MetricCollectors _meters;
    private readonly CodeFetchAuthorizer _authorizer;

    public CodeFetchAuthorizerTests()
    {
        var meterFactory = _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        _meters = new MetricCollectors(meterFactory);
        _kubernetes.Seed(Pod());
        _authorizer = new CodeFetchAuthorizer(_reviewer, _kubernetes, Options.Create(new CodeEndpointOptions()), _time, new CodeMetrics(meterFactory), NullLogger<CodeFetchAuthorizer>.Instance);
    }

    public void Dispose()
    {
        _meters.Dispose();
        _services.Dispose();
    }

    [Fact]
    public async Task Authorize_ItsOwnCodeThenLayer_AllowedWithOneReviewAndAPodReadEach()
    {
        Assert.True((await _authorizer.AuthorizeAsync(Token, Namespace, CodeHex, default)).Allowed);
        Assert.True((await _authorizer.AuthorizeAsync(Token, Namespace, LayerHex, default)).Allowed);

        Assert.Equal(1, _reviewer.Reviews);
        Assert.Equal(2, _kubernetes.Requests.Count(r => r.Verb == "get" && r.Name == PodName));
        Assert.Equal(1, _meters.Sum(CodeMetrics.Reviews, ("result", CodeMetrics.ReviewAuthenticated)));
        Assert.Equal(1, _meters.Sum(CodeMetrics.Reviews, ("result", CodeMetrics.ReviewCached)));
    }

    [Fact]
    public async Task Authorize_AfterTheCacheTtl_ReviewedAgain()
    {
        await _authorizer.AuthorizeAsync(Token, Namespace, CodeHex, default);
        _time.Advance(new CodeEndpointOptions().ReviewCacheTtl);
        await _authorizer.AuthorizeAsync(Token, Namespace, CodeHex, default);
        Assert.Equal(2, _reviewer.Reviews);
    }

    [Fact]
    public async Task Authorize_UnknownToken_UnauthenticatedNotCachedAndNoPodRead()
    {
        var first = await _authorizer.AuthorizeAsync("forged", Namespace, CodeHex, default);
        await _authorizer.AuthorizeAsync("forged", Namespace, CodeHex, default);

        Assert.Equal(CodeFetchOutcome.Unauthenticated, first.Outcome);
        Assert.Equal(2, _reviewer.Reviews);
        Assert.Equal(0, _authorizer.CachedReviews);
        Assert.DoesNotContain(_kubernetes.Requests, r => r.Verb == "get");
    }

    [Fact]
    public async Task Authorize_TokenOfAnotherNamespacesPod_ForbiddenWithoutReadingAPod()
    {
        _reviewer.With("team-b-token", CodePods.Token(@namespace: "team-b"));
        var decision = await _authorizer.AuthorizeAsync("team-b-token", Namespace, CodeHex, default);
        Assert.Equal(CodeFetchOutcome.Forbidden, decision.Outcome);
        Assert.DoesNotContain(_kubernetes.Requests, r => r.Verb == "get");
    }

    [Fact]
    public async Task Authorize_ReviewFails_KubernetesUnavailableAndNothingCached()
    {
        _reviewer.Failure = new HttpRequestException("connection refused");
        var decision = await _authorizer.AuthorizeAsync(Token, Namespace, CodeHex, default);
        Assert.Equal(CodeFetchOutcome.KubernetesUnavailable, decision.Outcome);
        Assert.Equal(0, _authorizer.CachedReviews);
        Assert.Equal(1, _meters.Sum(CodeMetrics.Reviews, ("result", CodeMetrics.ReviewError)));
    }

    [Fact]
    public async Task Authorize_ReviewForbiddenByRbac_KubernetesUnavailable()
    {
        _reviewer.Failure = FakeKubernetesClient.ApiError(HttpStatusCode.Forbidden, "Forbidden");
        Assert.Equal(CodeFetchOutcome.KubernetesUnavailable, (await _authorizer.AuthorizeAsync(Token, Namespace, CodeHex, default)).Outcome);
    }

    [Fact]
    public async Task Authorize_PodReadFails_KubernetesUnavailable()
    {
        _kubernetes.FailNext(r => r.Verb == "get", FakeKubernetesClient.ApiError(HttpStatusCode.InternalServerError, "InternalError"));
        Assert.Equal(CodeFetchOutcome.KubernetesUnavailable, (await _authorizer.AuthorizeAsync(Token, Namespace, CodeHex, default)).Outcome);
    }

    [Fact]
    public async Task Authorize_PodDeletedAfterACachedReview_Forbidden()
    {
        Assert.True((await _authorizer.AuthorizeAsync(Token, Namespace, CodeHex, default)).Allowed);
        await _kubernetes.DeleteAsync<k8s.Models.V1Pod>(Namespace, PodName);

        var decision = await _authorizer.AuthorizeAsync(Token, Namespace, CodeHex, default);
        Assert.Equal(CodeFetchOutcome.Forbidden, decision.Outcome);
        Assert.Equal(1, _reviewer.Reviews);
    }

    [Fact]
    public async Task Authorize_CallerGoesAway_Cancelled()
    {
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _authorizer.AuthorizeAsync(Token, Namespace, CodeHex, gone.Token));
        Assert.Equal(0, _meters.Sum(CodeMetrics.Reviews, ("result", CodeMetrics.ReviewError)));
    }
}
