namespace Lamina.Operator.Api;

/// <summary>Asynchronous invocation settings, as Lambda's EventInvokeConfig.</summary>
public sealed class FunctionAsync
{
    [Range(0, FunctionDefaults.MaximumRetryAttempts)]
    [DefaultValue(FunctionDefaults.MaximumRetryAttempts)]
    [Doc("Retries after a function error (0-2).")]
    public int? MaximumRetryAttempts { get; set; }

    [Range(FunctionDefaults.MinMaximumEventAgeSeconds, FunctionDefaults.MaximumEventAgeSeconds)]
    [DefaultValue(FunctionDefaults.MaximumEventAgeSeconds)]
    [Doc("Discard events older than this many seconds (60-21600).")]
    public int? MaximumEventAgeSeconds { get; set; }

    [Doc("Where a successful async invocation's record goes.")]
    public FunctionDestination? OnSuccess { get; set; }

    [Doc("Where a failed or expired async invocation's record goes.")]
    public FunctionDestination? OnFailure { get; set; }
}
