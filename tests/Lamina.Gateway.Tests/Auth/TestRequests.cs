using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Lamina.Gateway.Tests.Auth;

/// <summary>Requests as Kestrel hands them over: the decoded path, the raw query, and the request target exactly as sent.</summary>
internal static class TestRequests
{
    public static HttpRequest Create(string method, string target, IEnumerable<KeyValuePair<string, string>> headers)
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = method;
        // An absolute-form target (http://host/path) has its path after the authority.
        var origin = target.StartsWith('/') ? target : target[target.IndexOf('/', target.IndexOf("//", StringComparison.Ordinal) + 2)..];
        var query = origin.IndexOf('?', StringComparison.Ordinal);
        request.Path = PathString.FromUriComponent(query < 0 ? origin : origin[..query]);
        request.QueryString = query < 0 ? QueryString.Empty : new QueryString(origin[query..]);
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = target;
        foreach (var (name, value) in headers)
        {
            request.Headers.Append(name, value);
        }

        return request;
    }

    /// <summary>Headers written <c>Name: value</c>, as the botocore fixture keeps them.</summary>
    public static IEnumerable<KeyValuePair<string, string>> ParseHeaders(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            yield return new(line[..colon], line[(colon + 1)..].TrimStart());
        }
    }
}
