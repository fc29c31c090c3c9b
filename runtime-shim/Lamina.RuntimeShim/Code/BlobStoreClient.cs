using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Lamina.Contracts.Code;

namespace Lamina.RuntimeShim.Code;

/// <summary>
/// Fetches blobs from the gateway's code endpoint (<see cref="CodeFetchContract.BlobPath"/>) with the
/// pod's projected token as a Bearer token, read again for every request because the kubelet rotates
/// it. Each blob is streamed into a file and verified on the way (<see cref="VerifiedCopy"/>).
/// </summary>
internal sealed class BlobStoreClient : IDisposable
{
    private readonly Uri _store;
    private readonly string _namespace;
    private readonly string _tokenFile;
    private readonly FetchRetryPolicy _retry;
    private readonly TimeProvider _time;
    private readonly HttpClient _client;

    public BlobStoreClient(Uri store, string @namespace, string tokenFile, FetchRetryPolicy retry, TimeProvider time)
    {
        _store = store;
        _namespace = @namespace;
        _tokenFile = tokenFile;
        _retry = retry;
        _time = time;
        _client = new HttpClient(new SocketsHttpHandler
        {
            // A redirect would carry the token to wherever it points: the endpoint never redirects.
            AllowAutoRedirect = false,
            // The endpoint is in the cluster; a proxy from the environment must not see the token.
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = retry.RequestTimeout,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The URL of <paramref name="blob"/>: the store's base (a path prefix is kept) and the contract's path.</summary>
    public Uri BlobUri(BlobDigest blob) =>
        new(_store.GetLeftPart(UriPartial.Authority) + _store.AbsolutePath.TrimEnd('/') + CodeFetchContract.BlobPath(_namespace, blob.Hex));

    /// <summary>Fetches <paramref name="blob"/> into <paramref name="destination"/> (created or replaced), verified.</summary>
    public async Task FetchAsync(BlobDigest blob, string what, string destination, FetchTimings timings, CancellationToken cancellationToken)
    {
        var uri = BlobUri(blob);
        var started = _time.GetTimestamp();
        var delay = _retry.FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            string again;
            try
            {
                if (await TryFetchOnceAsync(uri, blob, what, destination, timings, cancellationToken).ConfigureAwait(false) is not { } unavailable)
                {
                    return;
                }

                again = unavailable;
            }
            catch (HttpRequestException e) when (e.StatusCode is null)
            {
                again = $"cannot reach the code endpoint {_store.GetLeftPart(UriPartial.Authority)} ({Describe(e)})";
            }
            catch (IOException e)
            {
                again = $"the connection to the code endpoint broke ({Describe(e)})";
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                again = "the code endpoint did not answer in time";
            }

            var elapsed = _time.GetElapsedTime(started);
            if (elapsed + delay > _retry.Total)
            {
                throw new FetchFailure($"{what}: {again}; gave up after {attempt} attempts in {elapsed.TotalSeconds:F0} s");
            }

            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _retry.MaximumDelay.Ticks));
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>One attempt: null when the blob is in <paramref name="destination"/>, else why it is worth another try.</summary>
    private async Task<string?> TryFetchOnceAsync(Uri uri, BlobDigest blob, string what, string destination, FetchTimings timings, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ReadToken());
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_retry.RequestTimeout);
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token).ConfigureAwait(false);
        switch (response.StatusCode)
        {
            case HttpStatusCode.OK:
                break;
            case HttpStatusCode.ServiceUnavailable:
                return "the code store is unavailable (503)";
            case HttpStatusCode.NotFound:
                throw new FetchFailure($"{what}: the code store has no blob {blob} for namespace {_namespace} (404)");
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                throw new FetchFailure($"{what}: the code endpoint refused this pod's token ({(int)response.StatusCode} {response.StatusCode}): the pod may read only its own namespace's code, named in its own Function");
            default:
                throw new FetchFailure($"{what}: the code endpoint answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        if (response.Content.Headers.ContentLength is { } length && length != blob.Size)
        {
            throw new FetchFailure($"{what}: size mismatch: the code endpoint announces {length} bytes, {blob.Size} expected");
        }

        attempt.CancelAfter(_retry.StallTimeout);
        await using var body = await response.Content.ReadAsStreamAsync(attempt.Token).ConfigureAwait(false);
        await using var file = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true);
        await VerifiedCopy.CopyAsync(body, file, blob, what, timings, () => attempt.CancelAfter(_retry.StallTimeout), attempt.Token).ConfigureAwait(false);
        return null;
    }

    private string ReadToken()
    {
        string token;
        try
        {
            token = File.ReadAllText(_tokenFile).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FetchFailure($"cannot read the token file {_tokenFile}: {e.Message}", e);
        }

        if (token.Length == 0 || token.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new FetchFailure($"the token file {_tokenFile} holds no token (empty, or more than one line)");
        }

        return token;
    }

    private static string Describe(Exception e) =>
        e.InnerException is SocketException socket ? socket.SocketErrorCode.ToString() : e.Message;
}
