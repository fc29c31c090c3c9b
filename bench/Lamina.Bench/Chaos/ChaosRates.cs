namespace Lamina.Bench.Chaos;

/// <summary>The load's rates, per second.</summary>
internal sealed record ChaosRates(double SteadyPerSecond, double CappedPerSecond, double EventsPerSecond);
