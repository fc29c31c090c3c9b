namespace Lamina.Testing;

/// <summary>One measurement: the instrument, the value and its tags (sorted by key).</summary>
public sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags);
