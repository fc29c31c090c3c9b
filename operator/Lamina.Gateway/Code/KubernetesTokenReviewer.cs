using k8s;
using k8s.Models;
using Lamina.Contracts.Code;

namespace Lamina.Gateway.Code;

/// <summary>
/// <see cref="ITokenReviewer"/> through the TokenReview API (authentication.k8s.io/v1), as
/// kube-rbac-proxy and the kubelet's webhook authenticator do: the API server checks the signature,
/// the expiry, the audience and, for a pod-bound token, that its pod still exists. Through the
/// library's typed call rather than <c>IKubernetesClient</c>: a TokenReview is no stored object (no
/// name, create only), which the generic object calls cannot send; the request is counted by
/// <c>KubernetesRequestMetrics</c> all the same.
/// </summary>
internal sealed class KubernetesTokenReviewer(IKubernetes kubernetes) : ITokenReviewer
{
    public async Task<ReviewedToken?> ReviewAsync(string token, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        V1TokenReview review;
        try
        {
            review = await kubernetes.AuthenticationV1.CreateTokenReviewAsync(
                new V1TokenReview { Spec = new V1TokenReviewSpec { Token = token, Audiences = [CodeFetchContract.TokenAudience] } },
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException error)
        {
            // The same failure type as every other call of the gateway's (KubernetesObjectClient's).
            throw new Lamina.Kubernetes.Client.KubernetesApiException(error.Response?.StatusCode ?? default, null, error.Message);
        }

        return Read(review.Status);
    }

    /// <summary>The user of an authenticated review whose audiences include ours; null for anything else.</summary>
    public static ReviewedToken? Read(V1TokenReviewStatus? status)
    {
        // An authenticator that ignores audiences answers with none of ours: the review says so, and
        // such a token was not minted for the code endpoint (Kubernetes' TokenReview API docs).
        if (status is not { Authenticated: true, User.Username: { Length: > 0 } username }
            || status.Audiences?.Contains(CodeFetchContract.TokenAudience) != true)
        {
            return null;
        }

        return new ReviewedToken(username, Single(status.User.Extra, ReviewedToken.PodNameExtra), Single(status.User.Extra, ReviewedToken.PodUidExtra));
    }

    private static string? Single(IDictionary<string, IList<string>>? extra, string key) =>
        extra is not null && extra.TryGetValue(key, out var values) && values is [{ Length: > 0 } value] ? value : null;
}
