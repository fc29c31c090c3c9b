namespace Lamina.Operator.Api;

/// <summary>Scaling settings.</summary>
public sealed class FunctionScaling
{
    [Range(0)]
    [DefaultValue(FunctionDefaults.IdleSeconds)]
    [Doc("Seconds without invocations before unprovisioned environments are scaled to zero.")]
    public int? IdleSeconds { get; set; }
}
