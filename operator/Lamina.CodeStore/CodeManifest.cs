using System.Security.Cryptography;
using System.Text.Json;

namespace Lamina.CodeStore;

/// <summary>
/// The small OCI image manifest each stored zip gets, tagged <see cref="StoredCode.Tag"/>: the registry's
/// garbage collector deletes every blob no manifest refers to, so without it a zip would be lost at
/// the next collection. One layer (the zip, <c>application/zip</c>), a config of Lamina's own media
/// type (so no tool takes it for a runnable image), and an annotation saying function code or layer.
/// </summary>
internal static class CodeManifest
{
    /// <summary>The config's media type: an artifact of Lamina's, not a container image.</summary>
    public const string ConfigMediaType = "application/vnd.lamina.code.config.v1+json";

    /// <summary>The one layer's media type.</summary>
    public const string ZipMediaType = "application/zip";

    /// <summary>The annotation saying what the zip is: <c>function</c> or <c>layer</c>.</summary>
    public const string KindAnnotation = "dev.lamina.code.kind";

    /// <summary><c>function</c> or <c>layer</c>.</summary>
    public static string KindName(CodeKind kind) => kind == CodeKind.Layer ? "layer" : "function";

    /// <summary>The config blob: the same few bytes for every zip of a kind, so a repository holds two at most.</summary>
    public static byte[] Config(CodeKind kind) => System.Text.Encoding.UTF8.GetBytes($"{{\"kind\":\"{KindName(kind)}\"}}");

    /// <summary>The digest of <paramref name="bytes"/> as the registry spells it.</summary>
    public static string Digest(ReadOnlySpan<byte> bytes) => Lamina.Contracts.Code.CodeFetchContract.DigestPrefix + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The manifest's bytes for <paramref name="zip"/> with the config <paramref name="config"/>.</summary>
    public static byte[] Build(StoredCode zip, CodeKind kind, byte[] config)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 2);
            json.WriteString("mediaType", OciRegistryClient.ManifestMediaType);
            json.WriteStartObject("config");
            json.WriteString("mediaType", ConfigMediaType);
            json.WriteString("digest", Digest(config));
            json.WriteNumber("size", config.Length);
            json.WriteEndObject();
            json.WriteStartArray("layers");
            json.WriteStartObject();
            json.WriteString("mediaType", ZipMediaType);
            json.WriteString("digest", zip.Digest);
            json.WriteNumber("size", zip.Size);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteStartObject("annotations");
            json.WriteString(KindAnnotation, KindName(kind));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
