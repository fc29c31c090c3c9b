using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Lamina.Testing;

namespace Lamina.CodeStore.Tests;

/// <summary>
/// A registry that authenticates as hosted ones do: a 401 with <c>WWW-Authenticate: Bearer realm,service,scope</c>,
/// a token service at /token that takes Basic credentials, blob reads redirected to a storage URL that
/// must not see Lamina's Authorization. Records every request it got.
/// </summary>
internal sealed class FakeTokenRegistry : IDisposable
{
    public const string Username = "lamina";
    public const string Password = "s3cret";
    public const string Token = "token-1";

    private readonly HttpListener _listener;
    private readonly Task _loop;

    public FakeTokenRegistry(byte[] blob, string digest)
    {
        (_listener, Url) = FreeHttpListener.Start("127.0.0.1", "/");
        Blob = blob;
        Digest = digest;
        _loop = Task.Run(LoopAsync);
    }

    public Uri Url { get; }

    public byte[] Blob { get; }

    public string Digest { get; }

    /// <summary>"METHOD path Authorization-scheme" of every request, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The query strings the token service was asked with.</summary>
    public ConcurrentQueue<string> TokenQueries { get; } = new();

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Handle(context);
        }
    }

    private void Handle(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var path = request.Url!.AbsolutePath;
        var authorization = request.Headers["Authorization"] ?? "";
        Requests.Enqueue($"{request.HttpMethod} {path} {authorization.Split(' ')[0]}");
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));
        if (path == "/token")
        {
            TokenQueries.Enqueue(request.Url.Query);
            if (authorization != basic)
            {
                response.StatusCode = 401;
            }
            else
            {
                Write(response, 200, $"{{\"token\":\"{Token}\",\"expires_in\":300}}");
            }
        }
        else if (path.StartsWith("/storage/", StringComparison.Ordinal))
        {
            // A storage backend's presigned URL: it refuses a request that carries someone's credentials.
            if (authorization.Length > 0)
            {
                response.StatusCode = 400;
            }
            else
            {
                response.ContentLength64 = Blob.Length;
                response.OutputStream.Write(Blob);
            }
        }
        else if (authorization != "Bearer " + Token)
        {
            response.StatusCode = 401;
            response.AddHeader("WWW-Authenticate", $"Bearer realm=\"{Url}token\",service=\"fake-registry\",scope=\"repository:lamina/team-a:pull\"");
        }
        else if (path == $"/v2/lamina/team-a/blobs/{Digest}")
        {
            response.StatusCode = 307;
            response.RedirectLocation = new Uri(Url, "/storage/blob?X-Signature=abc").ToString();
        }
        else
        {
            response.StatusCode = 404;
        }

        response.Close();
    }

    private static void Write(HttpListenerResponse response, int status, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        response.OutputStream.Write(bytes);
    }
}
