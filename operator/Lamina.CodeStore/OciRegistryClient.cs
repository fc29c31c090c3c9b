using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Lamina.CodeStore;

/// <summary>
/// The calls of the OCI distribution API the code store makes, and nothing else: HEAD and GET of a
/// blob, a blob upload (POST, one streamed PATCH, PUT with the digest: the registry hashes what it
/// received and refuses a digest that does not match), and a manifest PUT. Every answer the API does
/// not allow for the call becomes a <see cref="CodeStoreException"/> naming the registry, the
/// repository and the call.
/// </summary>
internal sealed class OciRegistryClient(HttpClient http, CodeStoreOptions options, RegistryAuthenticator auth)
{
    /// <summary>The OCI image manifest's media type.</summary>
    public const string ManifestMediaType = "application/vnd.oci.image.manifest.v1+json";

    /// <summary>Upload bodies are opaque bytes; with a form content type Go's registry would parse the body as a form.</summary>
    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");

    private readonly Uri _base = new(options.Url.TrimEnd('/') + "/");

    /// <summary>True when <paramref name="repository"/> holds the blob <paramref name="digest"/>.</summary>
    public async Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, BlobUri(repository, digest)), PullScope(repository), retryable: true, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureAsync(response, $"HEAD of blob {digest} in {repository}").ConfigureAwait(false);
        return true;
    }

    /// <summary>The blob's body and length, or null when the repository does not hold it. Redirects (to a storage backend) are followed without Lamina's credentials.</summary>
    public async Task<CodeBlob?> OpenBlobAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, BlobUri(repository, digest)), PullScope(repository), retryable: true, cancellationToken).ConfigureAwait(false);
        try
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                response.Dispose();
                return null;
            }

            await EnsureAsync(response, $"GET of blob {digest} in {repository}").ConfigureAwait(false);
            if (response.Content.Headers.ContentLength is not { } length)
            {
                throw new CodeStoreException(CodeStoreFailure.Protocol, $"the code store {options.Url} sent blob {digest} of {repository} without a Content-Length");
            }

            var content = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new CodeBlob(response, content, length);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Uploads <paramref name="content"/> as a blob of <paramref name="repository"/> whose digest is
    /// <paramref name="digest"/>, or, when it is null, whatever <paramref name="digestAfterBody"/>
    /// returns once the body is sent (for a stream hashed as it is read). Returns the digest the registry stored.
    /// </summary>
    public async Task<string> UploadBlobAsync(string repository, Stream content, string? digest, Func<string>? digestAfterBody, CancellationToken cancellationToken)
    {
        var what = $"upload of a blob to {repository}";
        Uri location;
        using (var started = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, new Uri(_base, $"v2/{repository}/blobs/uploads/")), PushScope(repository), retryable: true, cancellationToken).ConfigureAwait(false))
        {
            await EnsureAsync(started, what).ConfigureAwait(false);
            location = Location(started, what);
        }

        // One streamed PATCH: the body goes as it is read, so a 250 MB zip is never held in memory. Not
        // retryable: the stream is spent; the POST above already answered any challenge for this scope.
        using (var patched = await SendAsync(
            () => new HttpRequestMessage(HttpMethod.Patch, location) { Content = new BorrowedStreamContent(content) { Headers = { ContentType = OctetStream } } },
            PushScope(repository),
            retryable: false,
            cancellationToken,
            timeout: false).ConfigureAwait(false))
        {
            await EnsureAsync(patched, what).ConfigureAwait(false);
            location = Location(patched, what);
        }

        var final = digest ?? digestAfterBody?.Invoke() ?? throw new ArgumentException("a digest, or a function giving it after the body, is required", nameof(digestAfterBody));
        var separator = string.IsNullOrEmpty(location.Query) ? "?" : "&";
        var put = new Uri(location + separator + "digest=" + Uri.EscapeDataString(final));
        using var completed = await SendAsync(
            () => new HttpRequestMessage(HttpMethod.Put, put) { Content = new ByteArrayContent([]) { Headers = { ContentType = OctetStream } } },
            PushScope(repository),
            retryable: true,
            cancellationToken).ConfigureAwait(false);
        await EnsureAsync(completed, $"{what} as {final}").ConfigureAwait(false);
        return completed.Headers.TryGetValues("Docker-Content-Digest", out var stored) ? stored.First() : final;
    }

    /// <summary>PUTs an OCI image manifest under <paramref name="tag"/>.</summary>
    public async Task PutManifestAsync(string repository, string tag, byte[] manifest, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(
            () => new HttpRequestMessage(HttpMethod.Put, new Uri(_base, $"v2/{repository}/manifests/{tag}"))
            {
                Content = new ByteArrayContent(manifest) { Headers = { ContentType = new MediaTypeHeaderValue(ManifestMediaType) } },
            },
            PushScope(repository),
            retryable: true,
            cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, $"PUT of manifest {tag} in {repository}").ConfigureAwait(false);
    }

    private static string PullScope(string repository) => $"repository:{repository}:pull";

    private static string PushScope(string repository) => $"repository:{repository}:pull,push";

    private Uri BlobUri(string repository, string digest) => new(_base, $"v2/{repository}/blobs/{digest}");

    private Uri Location(HttpResponseMessage response, string what) =>
        response.Headers.Location is { } location
            ? (location.IsAbsoluteUri ? location : new Uri(_base, location))
            : throw new CodeStoreException(CodeStoreFailure.Protocol, $"the code store {options.Url} answered the {what} without a Location");

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> make, string scope, bool retryable, CancellationToken cancellationToken, bool timeout = true)
    {
        var request = make();
        try
        {
            auth.Apply(request, scope);
            var response = await SendOnceAsync(request, timeout, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Unauthorized || !retryable)
            {
                return response;
            }

            if (!await auth.AnswerAsync(response, request, scope, cancellationToken).ConfigureAwait(false))
            {
                return response;
            }

            response.Dispose();
            request.Dispose();
            request = make();
            auth.Apply(request, scope);
            return await SendOnceAsync(request, timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            request.Dispose();
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, bool timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout)
        {
            deadline.CancelAfter(options.ResponseTimeout);
        }

        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new CodeStoreException(CodeStoreFailure.Unreachable, $"the code store {options.Url} is unreachable ({request.Method} {request.RequestUri?.AbsolutePath}): {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CodeStoreException(CodeStoreFailure.Unreachable, $"the code store {options.Url} did not answer {request.Method} {request.RequestUri?.AbsolutePath} within {options.ResponseTimeout.TotalSeconds} s", e);
        }
    }

    /// <summary>Throws the <see cref="CodeStoreException"/> an unsuccessful answer means.</summary>
    private async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var (code, message) = await ReadErrorAsync(response).ConfigureAwait(false);
        var status = response.StatusCode;
        var failure = status switch
        {
            HttpStatusCode.Unauthorized => CodeStoreFailure.Unauthorized,
            HttpStatusCode.Forbidden => CodeStoreFailure.Forbidden,
            HttpStatusCode.NotFound => CodeStoreFailure.NotFound,
            HttpStatusCode.TooManyRequests => CodeStoreFailure.Unavailable,
            >= HttpStatusCode.InternalServerError => CodeStoreFailure.Unavailable,
            _ => CodeStoreFailure.Rejected,
        };
        var said = code is null ? "" : $": {code}{(message is null ? "" : $" ({message})")}";
        var hint = failure switch
        {
            CodeStoreFailure.Unauthorized => options.Username.Length > 0
                ? $"; user '{options.Username}' and the password in {options.PasswordFile} were refused"
                : "; it needs credentials and none are configured (Username, PasswordFile)",
            CodeStoreFailure.Forbidden => $"; user '{options.Username}' may not do this",
            _ => "",
        };
        throw new CodeStoreException(failure, $"the code store {options.Url} refused the {what}: {(int)status} {status}{said}{hint}", status, code);
    }

    /// <summary>The first error of the registry's <c>{"errors":[{"code":…,"message":…}]}</c> body, if it sent one.</summary>
    private static async Task<(string? Code, string? Message)> ReadErrorAsync(HttpResponseMessage response)
    {
        try
        {
            var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            if (body.Length is 0 or > 64 * 1024)
            {
                return (null, null);
            }

            using var json = JsonDocument.Parse(body);
            if (json.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                var first = errors[0];
                return (
                    first.TryGetProperty("code", out var code) ? code.GetString() : null,
                    first.TryGetProperty("message", out var message) ? message.GetString() : null);
            }
        }
        catch (Exception e) when (e is JsonException or HttpRequestException or InvalidOperationException)
        {
            // Not the registry's error shape (a proxy's HTML page): the status says enough.
        }

        return (null, null);
    }
}
