using System.Buffers;
using System.Text.Json;
using Lamina.Kubernetes.Client;

namespace Lamina.Kubernetes.Http;

/// <summary>The body of a DELETE (meta/v1 DeleteOptions), written by hand: no reflection, no model to keep in sync.</summary>
internal static class DeleteOptionsJson
{
    public static byte[] Write(DeleteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("apiVersion"u8, "v1"u8);
            writer.WriteString("kind"u8, "DeleteOptions"u8);
            if (options.PropagationPolicy is { } policy)
            {
                writer.WriteString("propagationPolicy"u8, policy switch
                {
                    PropagationPolicy.Background => "Background"u8,
                    PropagationPolicy.Foreground => "Foreground"u8,
                    PropagationPolicy.Orphan => "Orphan"u8,
                    _ => throw new ArgumentOutOfRangeException(nameof(options), policy, "unknown propagation policy"),
                });
            }

            if (options.GracePeriodSeconds is { } grace)
            {
                writer.WriteNumber("gracePeriodSeconds"u8, grace);
            }

            if (options.PreconditionUid is { } uid)
            {
                writer.WriteStartObject("preconditions"u8);
                writer.WriteString("uid"u8, uid);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
