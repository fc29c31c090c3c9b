using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Lamina.CodeStore;

/// <summary>
/// Lamina's credentials for the registry, in the form the registry asks for: Basic (the bundled
/// registry's htpasswd) sent on every request once a challenge asked for it, or a Bearer token per
/// scope from the token service a <c>Bearer realm=…</c> challenge names (Docker Hub, Harbor, GitLab,
/// most hosted registries), fetched with the same user and password and kept until shortly before it
/// expires. A request is sent once without credentials first: the registry's challenge says which.
/// </summary>
internal sealed class RegistryAuthenticator(HttpClient http, CodeStoreOptions options, TimeProvider time)
{
    /// <summary>A token without <c>expires_in</c> lives 60 s (the token specification's default).</summary>
    private static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromSeconds(60);

    /// <summary>A token is used until this long before it expires, so it does not expire in flight.</summary>
    private static readonly TimeSpan TokenMargin = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Until)> _tokens = new(StringComparer.Ordinal);
    private volatile AuthChallenge? _bearer;
    private volatile bool _basic;

    /// <summary>Sets the request's Authorization for <paramref name="scope"/> when a challenge has said how.</summary>
    public void Apply(HttpRequestMessage request, string scope)
    {
        if (_basic)
        {
            request.Headers.Authorization = BasicHeader();
        }
        else if (_bearer is not null && _tokens.TryGetValue(scope, out var token) && token.Until > time.GetUtcNow())
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        }
    }

    /// <summary>
    /// Answers a 401's challenge: true when the request should be sent again (credentials are now
    /// known for <paramref name="scope"/>), false when sending it again could not help (the credentials
    /// it carried were refused, or there are none).
    /// </summary>
    public async Task<bool> AnswerAsync(HttpResponseMessage unauthorized, HttpRequestMessage sent, string scope, CancellationToken cancellationToken)
    {
        var challenge = unauthorized.Headers.WwwAuthenticate.Select(static h => AuthChallenge.Parse(h.ToString())).FirstOrDefault(static c => c is not null && (c.IsBearer || c.IsBasic));
        if (challenge is null)
        {
            return false;
        }

        var carried = sent.Headers.Authorization?.Scheme;
        if (challenge.IsBasic)
        {
            // Basic credentials that were sent and refused are wrong; sending them again would not help.
            if (carried is not null || options.Username.Length == 0)
            {
                return false;
            }

            _basic = true;
            return true;
        }

        // A token that was refused is fetched again once (it may lack the action the challenge's scope names).
        _bearer = challenge;
        _tokens.TryRemove(scope, out _);
        var token = await FetchTokenAsync(challenge, scope, cancellationToken).ConfigureAwait(false);
        _tokens[scope] = token;
        return true;
    }

    private async Task<(string Token, DateTimeOffset Until)> FetchTokenAsync(AuthChallenge challenge, string scope, CancellationToken cancellationToken)
    {
        var realm = challenge["realm"];
        if (!Uri.TryCreate(realm, UriKind.Absolute, out var realmUri) || (realmUri.Scheme != Uri.UriSchemeHttps && realmUri.Scheme != Uri.UriSchemeHttp))
        {
            throw new CodeStoreException(CodeStoreFailure.Protocol, $"the code store {options.Url} asked for a Bearer token without a usable realm ('{realm}')");
        }

        var query = new StringBuilder(realmUri.Query.Length > 0 ? realmUri.Query[1..] + "&" : "");
        if (challenge["service"] is { } service)
        {
            query.Append("service=").Append(Uri.EscapeDataString(service)).Append('&');
        }

        // The challenge's scope is what this request needs; ours is what the caller asked (both when they differ).
        query.Append("scope=").Append(Uri.EscapeDataString(scope));
        if (challenge["scope"] is { } asked && asked != scope)
        {
            query.Append("&scope=").Append(Uri.EscapeDataString(asked));
        }

        var url = new UriBuilder(realmUri) { Query = query.ToString() }.Uri;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (options.Username.Length > 0)
        {
            request.Headers.Authorization = BasicHeader();
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ResponseTimeout);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new CodeStoreException(CodeStoreFailure.Unreachable, $"the code store's token service {realmUri.GetLeftPart(UriPartial.Path)} did not answer: {e.Message}", e);
        }

        using (response)
        {
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new CodeStoreException(
                    response.StatusCode == HttpStatusCode.Unauthorized ? CodeStoreFailure.Unauthorized : CodeStoreFailure.Forbidden,
                    $"the code store's token service {realmUri.GetLeftPart(UriPartial.Path)} refused {(options.Username.Length > 0 ? $"user '{options.Username}'" : "an anonymous request")} for {scope} ({(int)response.StatusCode})",
                    response.StatusCode,
                    null);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new CodeStoreException(CodeStoreFailure.Unavailable, $"the code store's token service {realmUri.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode}", response.StatusCode, null);
            }

            TokenResponse? answer;
            try
            {
                var body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
                answer = await JsonSerializer.DeserializeAsync(body, CodeStoreJsonContext.Default.TokenResponse, timeout.Token).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                throw new CodeStoreException(CodeStoreFailure.Protocol, $"the code store's token service {realmUri.GetLeftPart(UriPartial.Path)} answered something that is not a token: {e.Message}", e);
            }

            var token = answer?.Token is { Length: > 0 } t ? t : answer?.AccessToken;
            if (string.IsNullOrEmpty(token))
            {
                throw new CodeStoreException(CodeStoreFailure.Protocol, $"the code store's token service {realmUri.GetLeftPart(UriPartial.Path)} answered without a token");
            }

            var lifetime = answer!.ExpiresIn is { } seconds && seconds > 0 ? TimeSpan.FromSeconds(seconds) : DefaultTokenLifetime;
            return (token, time.GetUtcNow() + lifetime - (lifetime > TokenMargin * 2 ? TokenMargin : TimeSpan.Zero));
        }
    }

    private AuthenticationHeaderValue BasicHeader() =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{ReadPassword()}")));

    private string ReadPassword()
    {
        try
        {
            // Read every time: the kubelet updates a mounted Secret in place when it is rotated.
            return File.ReadAllText(options.PasswordFile).TrimEnd('\r', '\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CodeStoreException(CodeStoreFailure.Unauthorized, $"the code store's password file {options.PasswordFile} cannot be read: {e.Message}", e);
        }
    }
}
