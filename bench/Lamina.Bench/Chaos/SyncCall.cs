namespace Lamina.Bench.Chaos;

/// <summary>One sync invocation: the function, when it was sent and finally answered (seconds of the load), every try's answer, and whether it ended in a 200 without a function error.</summary>
internal sealed record SyncCall(string Function, double SentAt, double AnsweredAt, IReadOnlyList<string> Answers, bool Ok);
