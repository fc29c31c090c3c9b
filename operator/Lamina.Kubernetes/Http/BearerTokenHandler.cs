using System.Net.Http.Headers;
using Lamina.Kubernetes.Configuration;

namespace Lamina.Kubernetes.Http;

/// <summary>
/// Puts <c>Authorization: Bearer</c> on every request, asking the token source each time so that
/// a rotated service-account token is used as soon as the source sees it.
/// </summary>
internal sealed class BearerTokenHandler(ITokenSource tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
