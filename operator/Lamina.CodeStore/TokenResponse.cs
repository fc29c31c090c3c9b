using System.Text.Json.Serialization;

namespace Lamina.CodeStore;

/// <summary>A token service's answer: <c>token</c> (Docker) or <c>access_token</c> (OAuth2), and its lifetime.</summary>
internal sealed class TokenResponse
{
    [JsonPropertyName("token")]
    public string? Token { get; set; }

    [JsonPropertyName("access_token")]
    public string? AccessToken { get; set; }

    [JsonPropertyName("expires_in")]
    public int? ExpiresIn { get; set; }
}
