using k8s.Models;
using Lamina.Kubernetes.Client;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Code;

/// <summary>
/// Decides whether a Bearer token may read a blob: the token reviewed by the API server (or found in
/// <see cref="TokenReviewCache"/>), then <see cref="CodeAccessRules"/> on the token and on its pod,
/// read from the API server on every request. Every failure to ask the API server is
/// <see cref="CodeFetchOutcome.KubernetesUnavailable"/>, never an allow.
/// </summary>
internal sealed partial class CodeFetchAuthorizer
{
    private readonly ITokenReviewer _reviewer;
    private readonly IKubernetesClient _kubernetes;
    private readonly TokenReviewCache _cache;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly CodeMetrics _metrics;
    private readonly ILogger<CodeFetchAuthorizer> _logger;

    public CodeFetchAuthorizer(
        ITokenReviewer reviewer,
        IKubernetesClient kubernetes,
        IOptions<CodeEndpointOptions> options,
        TimeProvider time,
        CodeMetrics metrics,
        ILogger<CodeFetchAuthorizer> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _reviewer = reviewer ?? throw new ArgumentNullException(nameof(reviewer));
        _kubernetes = kubernetes ?? throw new ArgumentNullException(nameof(kubernetes));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        var value = options.Value;
        _timeout = value.KubernetesTimeout;
        _cache = new TokenReviewCache(time, value.ReviewCacheTtl, value.ReviewCacheSize);
    }

    /// <summary>Reviews currently cached (for tests and the docs' arithmetic).</summary>
    internal int CachedReviews => _cache.Count;

    public async Task<CodeAccessDecision> AuthorizeAsync(string token, string @namespace, string sha256Hex, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        var reviewed = _cache.Find(token);
        if (reviewed is not null)
        {
            _metrics.Reviewed(CodeMetrics.ReviewCached);
        }
        else
        {
            try
            {
                using var deadline = Deadline(cancellationToken);
                reviewed = await _reviewer.ReviewAsync(token, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception error) when (IsKubernetesFailure(error, cancellationToken))
            {
                _metrics.Reviewed(CodeMetrics.ReviewError);
                LogReviewFailed(error);
                return CodeAccessDecision.Unavailable("the API server could not review the token");
            }

            if (reviewed is null)
            {
                _metrics.Reviewed(CodeMetrics.ReviewRefused);
                return CodeAccessDecision.Unauthenticated("the token is not valid for the code endpoint (expired, another audience, or its pod is gone)");
            }

            _metrics.Reviewed(CodeMetrics.ReviewAuthenticated);
            _cache.Add(token, reviewed);
        }

        if (CodeAccessRules.CheckToken(reviewed, @namespace) is { } refused)
        {
            return refused;
        }

        V1Pod? pod;
        try
        {
            using var deadline = Deadline(cancellationToken);
            pod = await _kubernetes.GetAsync<V1Pod>(@namespace, reviewed.PodName!, deadline.Token).ConfigureAwait(false);
        }
        catch (KubernetesApiException error) when (error.IsNotFound)
        {
            pod = null;
        }
        catch (Exception error) when (IsKubernetesFailure(error, cancellationToken))
        {
            LogPodReadFailed(error, @namespace, reviewed.PodName!);
            return CodeAccessDecision.Unavailable("the API server could not be asked for the token's pod");
        }

        return CodeAccessRules.CheckPod(reviewed, @namespace, pod, sha256Hex, _time.GetUtcNow());
    }

    private CancellationTokenSource Deadline(CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        return deadline;
    }

    /// <summary>
    /// Anything but the caller going away: an API error (a 403 for a Role without the rule included),
    /// a connection refused, a deadline passed. The caller's own cancellation is no failure to count.
    /// </summary>
    private static bool IsKubernetesFailure(Exception error, CancellationToken cancellationToken) =>
        !(error is OperationCanceledException && cancellationToken.IsCancellationRequested);
}
