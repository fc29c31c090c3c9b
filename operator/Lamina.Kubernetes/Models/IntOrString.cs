using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lamina.Kubernetes.Models;

/// <summary>A value that is either an integer or a string (ports by number or name, "25%").</summary>
[JsonConverter(typeof(IntOrStringConverter))]
public readonly record struct IntOrString
{
    private IntOrString(int? number, string? text)
    {
        Number = number;
        Text = text;
    }

    /// <summary>The integer, when this is one.</summary>
    public int? Number { get; }

    /// <summary>The string, when this is one.</summary>
    public string? Text { get; }

    /// <summary>An integer value.</summary>
    public static IntOrString FromInt(int value) => new(value, null);

    /// <summary>A string value.</summary>
    public static IntOrString FromString(string value) => new(null, value);

    /// <summary>An integer value.</summary>
    public static implicit operator IntOrString(int value) => FromInt(value);

    /// <summary>A string value.</summary>
    public static implicit operator IntOrString(string value) => FromString(value);

    /// <inheritdoc />
    public override string ToString() => Number?.ToString(CultureInfo.InvariantCulture) ?? Text ?? "";
}

/// <summary>Reads and writes <see cref="IntOrString"/> as a JSON number or string.</summary>
public sealed class IntOrStringConverter : JsonConverter<IntOrString>
{
    /// <inheritdoc />
    public override IntOrString Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Number => IntOrString.FromInt(reader.GetInt32()),
            JsonTokenType.String => IntOrString.FromString(reader.GetString()!),
            _ => throw new JsonException($"expected a number or a string, got {reader.TokenType}"),
        };

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, IntOrString value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value.Number is { } number)
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteStringValue(value.Text);
        }
    }
}
