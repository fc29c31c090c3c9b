using System.Text.Json.Serialization;

namespace Lamina.Gateway.Async;

/// <summary>Every type async invocation serialises, generated at compile time (no reflection).</summary>
[JsonSerializable(typeof(DestinationRecord))]
[JsonSerializable(typeof(string))]
internal sealed partial class AsyncJsonContext : JsonSerializerContext;
