namespace Lamina.CodeStore;

/// <summary>
/// A registry's <c>WWW-Authenticate</c> answer to a 401: <c>Basic realm="…"</c>, or the Docker/OCI
/// token challenge <c>Bearer realm="https://auth…/token",service="…",scope="repository:x:pull"</c>
/// (docs: the distribution project's token authentication specification).
/// </summary>
/// <param name="Scheme">"Basic" or "Bearer" as the registry wrote it.</param>
/// <param name="Parameters">The challenge's parameters by lowercase name (realm, service, scope, error).</param>
internal sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>True for the token challenge.</summary>
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for Basic.</summary>
    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    /// <summary>A parameter, or null.</summary>
    public string? this[string name] => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>
    /// The challenge of a <c>WWW-Authenticate</c> header value: a scheme, then comma-separated
    /// <c>name=value</c> or <c>name="quoted, value"</c> parameters (RFC 9110 auth-param; a quoted value
    /// may hold commas, as a scope listing two actions does). Null when there is no scheme.
    /// </summary>
    public static AuthChallenge? Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        var text = header.AsSpan().Trim();
        var space = text.IndexOf(' ');
        var scheme = (space < 0 ? text : text[..space]).ToString();
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        var rest = space < 0 ? ReadOnlySpan<char>.Empty : text[(space + 1)..];
        while (!rest.IsEmpty)
        {
            rest = rest.TrimStart(" ,");
            var equals = rest.IndexOf('=');
            if (equals <= 0)
            {
                break;
            }

            var name = rest[..equals].Trim().ToString().ToLowerInvariant();
            rest = rest[(equals + 1)..].TrimStart();
            string value;
            if (!rest.IsEmpty && rest[0] == '"')
            {
                var builder = new System.Text.StringBuilder();
                var i = 1;
                for (; i < rest.Length && rest[i] != '"'; i++)
                {
                    // A backslash quotes the next character (RFC 9110 quoted-pair).
                    if (rest[i] == '\\' && i + 1 < rest.Length)
                    {
                        i++;
                    }

                    builder.Append(rest[i]);
                }

                value = builder.ToString();
                rest = i < rest.Length ? rest[(i + 1)..] : ReadOnlySpan<char>.Empty;
            }
            else
            {
                var comma = rest.IndexOf(',');
                value = (comma < 0 ? rest : rest[..comma]).Trim().ToString();
                rest = comma < 0 ? ReadOnlySpan<char>.Empty : rest[(comma + 1)..];
            }

            parameters[name] = value;
        }

        return new AuthChallenge(scheme, parameters);
    }
}
