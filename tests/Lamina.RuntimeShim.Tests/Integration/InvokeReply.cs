using System.Net;
using System.Text;
using System.Text.Json;
using Lamina.Contracts.Shim;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>What the shim answered to one invoke request, read the same way for both invoke paths.</summary>
internal sealed record InvokeReply
{
    public required InvokePath Path { get; init; }

    public required HttpStatusCode Status { get; init; }

    public required byte[] Body { get; init; }

    /// <summary>The response headers, flattened (name → comma-joined values).</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>Lamina-Status (contract path only).</summary>
    public string? LaminaStatus => Header(ShimInvokeContract.Headers.Status);

    /// <summary>Lamina-Function-Error or X-Amz-Function-Error.</summary>
    public string? FunctionError => Header(Path == InvokePath.Contract ? ShimInvokeContract.Headers.FunctionError : "X-Amz-Function-Error");

    /// <summary>Lamina-Request-Id or X-Amz-Request-Id.</summary>
    public string? RequestId => Header(Path == InvokePath.Contract ? ShimInvokeContract.Headers.RequestId : "X-Amz-Request-Id");

    /// <summary>X-Amzn-ErrorType: the exception name of a service error.</summary>
    public string? ServiceError => Header("X-Amzn-ErrorType");

    /// <summary>The decoded Lamina-Log-Result or X-Amz-Log-Result (empty when absent).</summary>
    public byte[] LogTail => Header(Path == InvokePath.Contract ? ShimInvokeContract.Headers.LogResult : "X-Amz-Log-Result") is { } encoded
        ? Convert.FromBase64String(encoded)
        : [];

    public string LogTailText => Encoding.UTF8.GetString(LogTail);

    /// <summary>The REPORT line at the end of the log tail.</summary>
    public string ReportLine => LogTailText.TrimEnd('\n').Split('\n')[^1];

    /// <summary>The error document's errorType and errorMessage, when the body is one.</summary>
    public (string? Type, string? Message) Error
    {
        get
        {
            try
            {
                using var document = JsonDocument.Parse(Body);
                var root = document.RootElement;
                return root.ValueKind != JsonValueKind.Object
                    ? (null, null)
                    : (Property(root, "errorType"), Property(root, "errorMessage"));
            }
            catch (JsonException)
            {
                return (null, null);
            }

            static string? Property(JsonElement element, string name) =>
                element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
    }

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>For assertion messages.</summary>
    public override string ToString() =>
        $"{Path} → {(int)Status} {string.Join(", ", Headers.Where(h => h.Key is not (ShimInvokeContract.Headers.LogResult or "X-Amz-Log-Result")).Select(h => $"{h.Key}: {h.Value}"))}\n{(Body.Length > 2000 ? Text[..2000] + "…" : Text)}\n--- log tail ---\n{LogTailText}";

    public static async Task<InvokeReply> ReadAsync(InvokePath path, HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            headers[name] = string.Join(",", values);
        }

        return new InvokeReply
        {
            Path = path,
            Status = response.StatusCode,
            Body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false),
            Headers = headers,
        };
    }
}
