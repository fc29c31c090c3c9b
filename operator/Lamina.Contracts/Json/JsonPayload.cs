using System.Text.Json;

namespace Lamina.Contracts.Json;

/// <summary>
/// The one rule for "is this JSON", which the gateway and the shim both apply to an event payload,
/// a client context and a Cognito identity: Lambda refuses a payload that is not one JSON value.
/// </summary>
public static class JsonPayload
{
    // Deeper than any event a function needs, and bounded so that a hostile payload cannot nest without end.
    private const int MaximumDepth = 256;

    /// <summary>
    /// True when <paramref name="utf8"/> is valid UTF-8 holding exactly one JSON value (whitespace
    /// around it allowed; no comments, no trailing commas, no second value). Empty input is not JSON:
    /// callers that give an empty event <c>{}</c> check the length first.
    /// </summary>
    public static bool IsValid(ReadOnlySpan<byte> utf8)
    {
        // Utf8JsonReader does not check the bytes inside strings; Lambda refuses a payload that is not UTF-8.
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaximumDepth });
            while (reader.Read())
            {
            }

            // The reader itself refuses anything but whitespace after the one value (a second value, a
            // stray brace): the shim's copy of this rule checked the rest again, which never changed an answer.
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
