namespace Lamina.Bench;

/// <summary>One series of requests: median and 99th-percentile latency in milliseconds, and the rate achieved.</summary>
internal readonly record struct Latency(double P50, double P99, double PerSecond);
