using System.Collections.Concurrent;
using System.Net;
using Lamina.Contracts.Code;

namespace Lamina.Testing;

/// <summary>
/// A stand-in for the gateway's code endpoint on a free loopback port: <c>GET
/// {CodeFetchContract.BlobPath}</c> answers the blobs it was given, 404 for others, 401 without the
/// expected Bearer token (403 with another), and any status a test queues for the next requests. The
/// shim's fetch tests and the bench's <c>fetch</c> scenario use it until the real endpoint (the
/// gateway's, over the registry) can stand in its place: only <see cref="Url"/> is handed on.
/// </summary>
public sealed class LoopbackCodeStore : IDisposable
{
    private readonly HttpListener _listener;
    private readonly ConcurrentDictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<HttpStatusCode> _scripted = new();
    private readonly ConcurrentQueue<string?> _authorizations = new();

    private LoopbackCodeStore(HttpListener listener, Uri url)
    {
        _listener = listener;
        Url = url;
        _ = ServeAsync();
    }

    /// <summary>The store's base URL, as <c>runtime-shim fetch --store</c> takes it.</summary>
    public Uri Url { get; }

    /// <summary>The Bearer token a request must carry; null accepts any request.</summary>
    public string? Token { get; set; }

    /// <summary>The Authorization header of every blob request, in order.</summary>
    public IReadOnlyList<string?> Authorizations => [.. _authorizations];

    /// <summary>Requests answered so far.</summary>
    public int Requests => _authorizations.Count;

    /// <summary>Raised with the count of requests so far, once a request's answer is decided and before it is sent (a test rotates the token here).</summary>
    public event Action<int>? Requested;

    public static LoopbackCodeStore Start()
    {
        var (listener, url) = FreeHttpListener.Start("127.0.0.1", "/");
        return new LoopbackCodeStore(listener, new Uri(url.GetLeftPart(UriPartial.Authority)));
    }

    /// <summary>Serves <paramref name="bytes"/> as blob <paramref name="sha256Hex"/> of <paramref name="namespace"/>.</summary>
    public void Add(string @namespace, string sha256Hex, byte[] bytes) => _blobs[CodeFetchContract.BlobPath(@namespace, sha256Hex)] = bytes;

    /// <summary>The next <paramref name="count"/> blob requests are answered <paramref name="status"/>, whatever they ask.</summary>
    public void AnswerNext(HttpStatusCode status, int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            _scripted.Enqueue(status);
        }
    }

    public void Dispose() => _listener.Close();

    private async Task ServeAsync()
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

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var authorization = context.Request.Headers["Authorization"];
            _authorizations.Enqueue(authorization);
            byte[]? blob = null;
            if (_scripted.TryDequeue(out var scripted))
            {
                response.StatusCode = (int)scripted;
            }
            else if (Token is { } token && authorization != $"Bearer {token}")
            {
                response.StatusCode = authorization is null ? 401 : 403;
            }
            else if (context.Request.HttpMethod != "GET" || !_blobs.TryGetValue(context.Request.Url!.AbsolutePath, out blob))
            {
                response.StatusCode = 404;
            }
            else
            {
                response.StatusCode = 200;
            }

            // Before the answer: whatever the handler changes is in place for the client's next request.
            Requested?.Invoke(_authorizations.Count);
            if (blob is not null)
            {
                response.ContentType = "application/octet-stream";
                response.ContentLength64 = blob.Length;
                await response.OutputStream.WriteAsync(blob);
            }

            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away: nothing to answer.
        }
    }
}
