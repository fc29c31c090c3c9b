namespace Lamina.RuntimeShim.Execution;

/// <summary>
/// An error type as a runtime named it (the <c>Lambda-Runtime-Function-Error-Type</c> header of
/// <c>…/error</c> and <c>init/error</c>, else the <c>errorType</c> of its error document), made safe for
/// the places the shim copies it to: the <c>Lamina-Error-Type</c> response header and the REPORT line of
/// the function's log. The runtime runs the function's code, so the name is untrusted: a CR or LF would
/// start a forged log line, a control or non-ASCII character makes Kestrel refuse the header and
/// lose the whole answer. Every character outside visible ASCII becomes <c>_</c>; Lambda's own types
/// (<c>Runtime.ExitError</c>, <c>Sandbox.Timedout</c>, <c>MyError</c>, <c>errors.errorString</c>) pass unchanged.
/// The error document itself goes to the caller as the runtime wrote it (JSON escapes what it holds).
/// </summary>
internal readonly record struct ErrorType
{
    /// <summary>
    /// Lambda's types are a few dozen characters at most; a longer name is cut here, so the header and
    /// the REPORT line stay small whatever a runtime sends (Kestrel's request headers allow 32 KB).
    /// </summary>
    public const int MaximumLength = 128;

    /// <summary>What Lambda reports when the runtime named no type.</summary>
    public static readonly ErrorType Unknown = new("Runtime.Unknown");

    private ErrorType(string value) => Value = value;

    /// <summary>Visible ASCII only, at most <see cref="MaximumLength"/> characters, never empty.</summary>
    public string Value { get; }

    /// <summary>The safe form of <paramref name="named"/>; <see cref="Unknown"/> when it is empty or blank.</summary>
    public static ErrorType From(string? named)
    {
        if (string.IsNullOrWhiteSpace(named))
        {
            return Unknown;
        }

        var length = Math.Min(named.Length, MaximumLength);
        if (length == named.Length && named.AsSpan().IndexOfAnyExceptInRange('!', '~') < 0)
        {
            return new ErrorType(named);
        }

        return new ErrorType(string.Create(length, named, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                var c = source[i];
                span[i] = c is >= '!' and <= '~' ? c : '_';
            }
        }));
    }

    public override string ToString() => Value;
}
