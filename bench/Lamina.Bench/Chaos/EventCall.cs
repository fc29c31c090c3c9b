namespace Lamina.Bench.Chaos;

/// <summary>One Event invocation: when sent and answered, every try's answer, and the request id of its 202 (null when none came).</summary>
internal sealed record EventCall(double SentAt, double AnsweredAt, IReadOnlyList<string> Answers, string? RequestId);
