namespace Lamina.Telemetry;

/// <summary>What <c>AddLaminaMetrics</c> read from configuration, kept so that a bad value fails the start.</summary>
public sealed class LaminaMetricsOptions
{
    /// <summary>The standard variable naming the collector that metrics are pushed to; unset, nothing is pushed.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    internal const string InvalidEndpointMessage = $"{OtlpEndpointVariable} must be an absolute http:// or https:// URI, e.g. http://otel-collector:4317";

    /// <summary>The OTLP endpoint, or null when metrics are only pulled.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>
    /// The exporter would log a bad endpoint and push to http://localhost:4317 instead, where a
    /// pod has no collector: a typo would lose every metric without a word.
    /// </summary>
    internal static bool IsValid(LaminaMetricsOptions options) =>
        string.IsNullOrEmpty(options.OtlpEndpoint)
        || (Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps));
}
