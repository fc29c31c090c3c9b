namespace Lamina.Operator.Api;

/// <summary>One decision of the autoscaler, as the status reports it.</summary>
[Doc("One decision of the autoscaler: when, from how many execution environments to how many, and why.")]
public sealed class FunctionScaleEvent
{
    [Doc("When the decision was made (RFC 3339, whole seconds).")]
    public DateTime? Time { get; set; }

    [Doc("Desired execution environments before the decision.")]
    public int? From { get; set; }

    [Doc("Desired execution environments after the decision.")]
    public int? To { get; set; }

    [Doc("Up or Down.")]
    public string? Direction { get; set; }

    [Doc("Why, e.g. the demand the autoscaler saw.")]
    public string? Reason { get; set; }
}
