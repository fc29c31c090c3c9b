namespace Lamina.Operator.Api;

/// <summary>Concurrency limits, as Lambda's reserved and provisioned concurrency.</summary>
public sealed class FunctionConcurrency
{
    [Range(0)]
    [Doc("At most this many invocations run at once across the cluster (a hard cap); 0 throttles every invocation. Unset: no cap beyond the cluster's pool.")]
    public int? Reserved { get; set; }

    [Range(0)]
    [DefaultValue(0)]
    [Doc("Keep at least this many initialised execution environments. Must not exceed reserved.")]
    public int? Provisioned { get; set; }
}
