using System.Diagnostics.Metrics;

namespace Lamina.Gateway.Code;

/// <summary>
/// The code endpoint's series on the gateway's meter (docs/metrics.md). No namespace or function
/// label: a refused request's path is the caller's to write, so it never becomes a label.
/// </summary>
internal sealed class CodeMetrics
{
    public const string MeterName = "Lamina.Gateway";

    public const string Fetches = "lamina_code_fetches_total";
    public const string Bytes = "lamina_code_fetch_bytes_total";
    public const string Reviews = "lamina_code_token_reviews_total";

    /// <summary>The review was found in the cache: no API call.</summary>
    public const string ReviewCached = "cached";

    /// <summary>The API server authenticated the token.</summary>
    public const string ReviewAuthenticated = "authenticated";

    /// <summary>The API server refused the token.</summary>
    public const string ReviewRefused = "refused";

    /// <summary>The API server could not be asked.</summary>
    public const string ReviewError = "error";

    private readonly Counter<long> _fetches;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _reviews;

    public CodeMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _fetches = meter.CreateCounter<long>(Fetches, description: "Requests to the code endpoint, by outcome (served, unauthenticated, forbidden, not_found, kubernetes_unavailable, store_unavailable, store_unconfigured, bad_request, aborted).");
        _bytes = meter.CreateCounter<long>(Bytes, unit: "By", description: "Bytes of code and layers the code endpoint sent in full.");
        _reviews = meter.CreateCounter<long>(Reviews, description: "Tokens the code endpoint checked, by result: cached (no API call), authenticated, refused, error.");
    }

    public void Fetched(CodeFetchOutcome outcome) => _fetches.Add(1, new KeyValuePair<string, object?>("outcome", LabelOf(outcome)));

    public void Served(long bytes) => _bytes.Add(bytes);

    public void Reviewed(string result) => _reviews.Add(1, new KeyValuePair<string, object?>("result", result));

    public static string LabelOf(CodeFetchOutcome outcome) => outcome switch
    {
        CodeFetchOutcome.Served => "served",
        CodeFetchOutcome.BadRequest => "bad_request",
        CodeFetchOutcome.Unauthenticated => "unauthenticated",
        CodeFetchOutcome.Forbidden => "forbidden",
        CodeFetchOutcome.NotFound => "not_found",
        CodeFetchOutcome.KubernetesUnavailable => "kubernetes_unavailable",
        CodeFetchOutcome.StoreUnconfigured => "store_unconfigured",
        CodeFetchOutcome.StoreUnavailable => "store_unavailable",
        CodeFetchOutcome.Aborted => "aborted",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };
}
