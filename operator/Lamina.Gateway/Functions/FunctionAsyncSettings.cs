namespace Lamina.Gateway.Functions;

/// <summary>
/// A Function's async settings with Lambda's defaults applied (an object that predates
/// <c>spec.async</c>, or comes from a fake, gets the same values the CRD schema would give it).
/// </summary>
internal sealed record FunctionAsyncSettings(int MaximumRetryAttempts, int MaximumEventAgeSeconds, string? OnSuccess, string? OnFailure)
{
    /// <summary>Lambda's default (and largest) retries after a function error.</summary>
    public const int DefaultMaximumRetryAttempts = 2;

    /// <summary>Lambda's default (and largest) maximum event age: 6 hours.</summary>
    public const int DefaultMaximumEventAgeSeconds = 21_600;

    /// <summary>Lambda's defaults and no destinations.</summary>
    public static FunctionAsyncSettings Default { get; } = new(DefaultMaximumRetryAttempts, DefaultMaximumEventAgeSeconds, null, null);

    /// <summary>How long an event may wait before it is no longer invoked.</summary>
    public TimeSpan MaximumEventAge => TimeSpan.FromSeconds(MaximumEventAgeSeconds);

    /// <summary>The settings <paramref name="spec"/> names, defaults for the rest.</summary>
    public static FunctionAsyncSettings From(GatewayFunctionAsync? spec) => spec is null
        ? Default
        : new FunctionAsyncSettings(
            spec.MaximumRetryAttempts ?? DefaultMaximumRetryAttempts,
            spec.MaximumEventAgeSeconds ?? DefaultMaximumEventAgeSeconds,
            spec.OnSuccess?.Function is { Length: > 0 } onSuccess ? onSuccess : null,
            spec.OnFailure?.Function is { Length: > 0 } onFailure ? onFailure : null);
}
