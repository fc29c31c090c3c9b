using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Models;
using Lamina.Kubernetes.Serialization;

namespace Lamina.Kubernetes.Watch;

/// <summary>
/// Decodes a watch response: one JSON object per line, <c>{"type":"ADDED","object":{…}}</c>.
/// Lines are cut out of a <see cref="PipeReader"/>'s pooled buffers and parsed in place with a
/// <see cref="Utf8JsonReader"/>, so a line split across reads, or many lines in one read, cost no
/// extra copies. An <c>ERROR</c> event ends the stream as a <see cref="KubernetesApiException"/>.
/// </summary>
internal static class WatchStreamReader
{
    /// <summary>
    /// A line longer than this is not a watch event. Objects are capped by etcd at 1.5 MiB; the
    /// margin covers JSON escaping and managedFields without letting a broken stream eat memory.
    /// </summary>
    internal const int MaxEventBytes = 16 * 1024 * 1024;

    /// <summary>Events until the stream ends; throws on an ERROR event or a malformed line.</summary>
    public static async IAsyncEnumerable<WatchEvent<T>> ReadAsync<T>(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class, IKubernetesObject<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (TryReadLine(ref buffer, out var line))
                {
                    if (!IsBlank(line))
                    {
                        yield return Decode<T>(line);
                    }
                }

                if (result.IsCompleted)
                {
                    // The server may close without a final newline.
                    if (!IsBlank(buffer))
                    {
                        yield return Decode<T>(buffer);
                    }

                    yield break;
                }

                if (buffer.Length > MaxEventBytes)
                {
                    throw new InvalidDataException($"a watch event is longer than {MaxEventBytes} bytes: the stream is not a Kubernetes watch");
                }

                // Consumed up to the partial line; examined everything, so the next read waits for more bytes.
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Decodes one line (one JSON object).</summary>
    /// <exception cref="KubernetesApiException">The line is an ERROR event; its Status is inside.</exception>
    /// <exception cref="InvalidDataException">The line is not a watch event.</exception>
    internal static WatchEvent<T> Decode<T>(ReadOnlySequence<byte> line)
        where T : class, IKubernetesObject<T>
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new InvalidDataException($"a watch event is not a JSON object: {Preview(line)}");
            }

            EventKind? kind = null;
            T? item = null;
            Status? status = null;
            JsonElement? early = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    kind = KindOf(ref reader, line);
                }
                else if (reader.ValueTextEquals("object"u8))
                {
                    reader.Read();
                    switch (kind)
                    {
                        case null:
                            // The API server writes "type" first; keep the rare other order working.
                            early = JsonElement.ParseValue(ref reader);
                            break;
                        case EventKind.Error:
                            status = JsonSerializer.Deserialize(ref reader, KubernetesJsonContext.Default.Status);
                            break;
                        default:
                            item = JsonSerializer.Deserialize(ref reader, T.JsonTypeInfo);
                            break;
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            // Anything after the closing brace on the same line makes Read throw: the line was not one event.
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                throw new InvalidDataException($"a watch event is not a single JSON object: {Preview(line)}");
            }

            if (kind is null)
            {
                throw new InvalidDataException($"a watch event has no type: {Preview(line)}");
            }

            if (early is { } element)
            {
                if (kind == EventKind.Error)
                {
                    status = element.Deserialize(KubernetesJsonContext.Default.Status);
                }
                else
                {
                    item = element.Deserialize(T.JsonTypeInfo);
                }
            }

            if (kind == EventKind.Error)
            {
                var code = status?.Code is { } c and >= 100 and <= 599 ? (HttpStatusCode)c : HttpStatusCode.InternalServerError;
                throw new KubernetesApiException(code, status, "the watch ended with an ERROR event that carries no Status");
            }

            return item is null
                ? throw new InvalidDataException($"a {kind} watch event has no object: {Preview(line)}")
                : new WatchEvent<T>(ToType(kind.Value), item);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"a watch event is not valid JSON ({e.Message}): {Preview(line)}", e);
        }
    }

    private static EventKind KindOf(ref Utf8JsonReader reader, ReadOnlySequence<byte> line)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            if (reader.ValueTextEquals("ADDED"u8))
            {
                return EventKind.Added;
            }

            if (reader.ValueTextEquals("MODIFIED"u8))
            {
                return EventKind.Modified;
            }

            if (reader.ValueTextEquals("DELETED"u8))
            {
                return EventKind.Deleted;
            }

            if (reader.ValueTextEquals("BOOKMARK"u8))
            {
                return EventKind.Bookmark;
            }

            if (reader.ValueTextEquals("ERROR"u8))
            {
                return EventKind.Error;
            }
        }

        throw new InvalidDataException($"a watch event has an unknown type: {Preview(line)}");
    }

    private static WatchEventType ToType(EventKind kind) => kind switch
    {
        EventKind.Added => WatchEventType.Added,
        EventKind.Modified => WatchEventType.Modified,
        EventKind.Deleted => WatchEventType.Deleted,
        _ => WatchEventType.Bookmark,
    };

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    private static bool IsBlank(ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes)
        {
            if (segment.Span.IndexOfAnyExcept(" \t\r\n"u8) >= 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The start of a bad line for an error message: enough to recognise, never a whole object.</summary>
    private static string Preview(ReadOnlySequence<byte> line)
    {
        const int Limit = 200;
        var slice = line.Length > Limit ? line.Slice(0, Limit) : line;
        var text = Encoding.UTF8.GetString(slice);
        return line.Length > Limit ? text + "…" : text;
    }

    /// <summary>The event types, ERROR included (it never reaches callers as a <see cref="WatchEventType"/>).</summary>
    private enum EventKind
    {
        Added,
        Modified,
        Deleted,
        Bookmark,
        Error,
    }
}
