using System.Net;
using System.Text;
using System.Text.Json;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Models;
using Lamina.Kubernetes.Serialization;

namespace Lamina.Kubernetes.Http;

/// <summary>
/// Turns a non-2xx answer into a <see cref="KubernetesApiException"/>: the API server's Status
/// when the body is one, otherwise a message built from the status line and the start of the
/// body (a proxy's HTML page or a plain-text error still says what happened).
/// </summary>
internal static class ApiErrorReader
{
    /// <summary>A Status is small; anything longer is not worth reading whole for an error message.</summary>
    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>How much of a non-Status body the message quotes.</summary>
    private const int MaxQuotedChars = 512;

    public static async Task<KubernetesApiException> ReadAsync(HttpResponseMessage response, string method, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        byte[] body;
        try
        {
            body = await ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            body = [];
        }

        return FromBody(response.StatusCode, response.ReasonPhrase, body, method, path);
    }

    internal static KubernetesApiException FromBody(HttpStatusCode code, string? reasonPhrase, ReadOnlySpan<byte> body, string method, string path)
    {
        var status = TryParseStatus(body);
        var text = Encoding.UTF8.GetString(body).Trim();
        if (text.Length > MaxQuotedChars)
        {
            text = text[..MaxQuotedChars] + "…";
        }

        var fallback = $"{method} {path}: the API server answered {(int)code} {reasonPhrase ?? code.ToString()}" + (text.Length > 0 ? $": {text}" : "");
        return new KubernetesApiException(code, status, fallback);
    }

    private static Status? TryParseStatus(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty || body.IndexOfAnyExcept(" \t\r\n"u8) is var start && (start < 0 || body[start] != (byte)'{'))
        {
            return null;
        }

        try
        {
            var status = JsonSerializer.Deserialize(body, KubernetesJsonContext.Default.Status);
            return status is not null && (status.Kind == "Status" || status.Reason is not null || status.Message is not null) ? status : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var copy = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while (copy.Length < MaxBodyBytes && (read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                copy.Write(chunk, 0, read);
            }

            return copy.ToArray();
        }
    }
}
