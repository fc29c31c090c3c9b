using System.Text.Json.Serialization;

namespace Lamina.CodeStore;

/// <summary>Source-generated JSON for the token service's answer (no reflection).</summary>
[JsonSerializable(typeof(TokenResponse))]
internal sealed partial class CodeStoreJsonContext : JsonSerializerContext;
