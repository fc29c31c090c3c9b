using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using Lamina.Contracts.Code;

namespace Lamina.Gateway.Code;

/// <summary>
/// The code endpoint, the only thing served on the code port: <c>GET /code/v1/namespaces/{ns}/blobs/sha256:{hex}</c>
/// with a pod's projected ServiceAccount token (<see cref="CodeFetchContract"/>). It answers 200 with the
/// blob, 401 without a valid token of the code audience, 403 for a token that may not read the blob,
/// 404 for a blob the store lacks, and 503 while the API server or the store cannot be asked, or no
/// store is configured: every doubt is a refusal (docs/code-endpoint.md).
/// </summary>
internal sealed partial class CodeEndpointHandler(
    CodeFetchAuthorizer authorizer,
    CodeMetrics metrics,
    ILogger<CodeEndpointHandler> logger,
    ICodeBlobSource? source = null)
{
    /// <summary>80 KiB: Stream.CopyToAsync's own buffer, under the large-object heap's threshold.</summary>
    private const int CopyBufferSize = 81920;

    /// <summary>A Kubernetes namespace is a DNS-1123 label: at most 63 characters.</summary>
    private const int MaxNamespaceLength = 63;

    private const string BlobsSegment = "/blobs/";

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var outcome = await ServeAsync(context).ConfigureAwait(false);
        metrics.Fetched(outcome);
    }

    private async Task<CodeFetchOutcome> ServeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!TryParsePath(request.Path.Value, out var @namespace, out var hex, out var pathError))
        {
            await RefuseAsync(context, StatusCodes.Status404NotFound, pathError).ConfigureAwait(false);
            return CodeFetchOutcome.BadRequest;
        }

        if (!HttpMethods.IsGet(request.Method))
        {
            context.Response.Headers.Allow = "GET";
            await RefuseAsync(context, StatusCodes.Status405MethodNotAllowed, "only GET is served").ConfigureAwait(false);
            return CodeFetchOutcome.BadRequest;
        }

        if (hex is null)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "the digest must be sha256: and 64 lowercase hex digits").ConfigureAwait(false);
            return CodeFetchOutcome.BadRequest;
        }

        // Fail closed until the lead wires a store in: nothing is reviewed for a fetch that cannot succeed.
        if (source is null)
        {
            LogStoreUnconfigured(@namespace, hex);
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "no code store is configured on this gateway").ConfigureAwait(false);
            return CodeFetchOutcome.StoreUnconfigured;
        }

        if (BearerToken(request) is not { } token)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "a Bearer token is required: the pod's projected ServiceAccount token of audience " + CodeFetchContract.TokenAudience).ConfigureAwait(false);
            return CodeFetchOutcome.Unauthenticated;
        }

        var aborted = context.RequestAborted;
        var decision = await authorizer.AuthorizeAsync(token, @namespace, hex, aborted).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            var status = decision.Outcome switch
            {
                CodeFetchOutcome.Unauthenticated => StatusCodes.Status401Unauthorized,
                CodeFetchOutcome.Forbidden => StatusCodes.Status403Forbidden,
                _ => StatusCodes.Status503ServiceUnavailable,
            };
            if (status == StatusCodes.Status401Unauthorized)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
            }

            LogRefused(@namespace, hex, status, decision.Reason);
            await RefuseAsync(context, status, decision.Reason).ConfigureAwait(false);
            return decision.Outcome;
        }

        CodeBlob? blob;
        try
        {
            blob = await source.OpenBlobAsync(@namespace, hex, aborted).ConfigureAwait(false);
        }
        catch (Exception error) when (!aborted.IsCancellationRequested)
        {
            LogStoreFailed(error, @namespace, hex);
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "the code store cannot be reached").ConfigureAwait(false);
            return CodeFetchOutcome.StoreUnavailable;
        }

        if (blob is null)
        {
            LogBlobMissing(@namespace, hex);
            await RefuseAsync(context, StatusCodes.Status404NotFound, $"the code store has no blob sha256:{hex} in namespace {@namespace}").ConfigureAwait(false);
            return CodeFetchOutcome.NotFound;
        }

        await using (blob.ConfigureAwait(false))
        {
            return await SendAsync(context, blob, @namespace, hex).ConfigureAwait(false);
        }
    }

    private async Task<CodeFetchOutcome> SendAsync(HttpContext context, CodeBlob blob, string @namespace, string hex)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/octet-stream";
        response.ContentLength = blob.Length;
        // Who may read a blob is decided per pod: no shared cache may keep an answer.
        response.Headers.CacheControl = "no-store";
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        long sent = 0;
        try
        {
            int read;
            while ((read = await blob.Content.ReadAsync(buffer.AsMemory(0, CopyBufferSize), context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (sent + read > blob.Length)
                {
                    break;
                }

                await response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted).ConfigureAwait(false);
                sent += read;
            }
        }
        catch (Exception error) when (!context.RequestAborted.IsCancellationRequested)
        {
            LogStreamFailed(error, @namespace, hex, sent, blob.Length);
            context.Abort();
            return CodeFetchOutcome.Aborted;
        }
        catch (OperationCanceledException)
        {
            // The pod went away mid-body.
            return CodeFetchOutcome.Aborted;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (sent != blob.Length)
        {
            // A store that says one length and sends another: cut the connection, so the pod sees a
            // truncated body rather than a complete wrong one (it verifies the digest in any case).
            LogStreamFailed(null, @namespace, hex, sent, blob.Length);
            context.Abort();
            return CodeFetchOutcome.Aborted;
        }

        metrics.Served(sent);
        LogServed(@namespace, hex, sent);
        return CodeFetchOutcome.Served;
    }

    /// <summary>
    /// <c>{BlobPathPrefix}{ns}/blobs/sha256:{hex}</c>: false (and why) when the path is not a blob
    /// path at all; true with a null <paramref name="sha256Hex"/> when only the digest is malformed.
    /// </summary>
    internal static bool TryParsePath(string? path, out string @namespace, out string? sha256Hex, out string error)
    {
        @namespace = "";
        sha256Hex = null;
        error = $"not found: blobs are at {CodeFetchContract.BlobPathPrefix}<namespace>/blobs/{CodeFetchContract.DigestPrefix}<hex>";
        if (path is null || !path.StartsWith(CodeFetchContract.BlobPathPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = path.AsSpan(CodeFetchContract.BlobPathPrefix.Length);
        var blobs = rest.IndexOf(BlobsSegment, StringComparison.Ordinal);
        if (blobs < 0 || !IsNamespace(rest[..blobs]))
        {
            return false;
        }

        var digest = rest[(blobs + BlobsSegment.Length)..];
        if (!digest.StartsWith(CodeFetchContract.DigestPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        @namespace = rest[..blobs].ToString();
        var hex = digest[CodeFetchContract.DigestPrefix.Length..];
        sha256Hex = CodeAccessRules.IsSha256Hex(hex) ? hex.ToString() : null;
        return true;
    }

    private static bool IsNamespace(ReadOnlySpan<char> value)
    {
        if (value.Length is 0 or > MaxNamespaceLength || value[0] == '-' || value[^1] == '-')
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static string? BearerToken(HttpRequest request) =>
        AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header)
        && string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
        && !string.IsNullOrWhiteSpace(header.Parameter)
            ? header.Parameter.Trim()
            : null;

    private static async Task RefuseAsync(HttpContext context, int status, string message)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        var writer = new Utf8JsonWriter(response.BodyWriter);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteString("message", message);
            writer.WriteEndObject();
            await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
    }
}
