using System.Text;
using System.Text.Json;

namespace Lamina.RuntimeShim.Hosting;

/// <summary>
/// The shim's own log (not the function's): one line per entry on stderr, JSON when
/// LAMINA_LOG_FORMAT=json. A provider of its own rather than Microsoft.Extensions.Logging.Console:
/// the shim logs a few lines per runtime start, and the console logger's formatters, options
/// monitoring and queue thread cost resident memory in every function pod.
/// </summary>
internal static class ShimLogging
{
    public static ILoggerFactory CreateFactory(string? format) => LoggerFactory.Create(logging =>
    {
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);

        // ASP.NET Core's hosting starts an Activity and a logging scope for every request while this
        // category is enabled at any level (it checks Critical), and logs nothing above Information:
        // three requests per warm invocation (invoke, /next, /response) paid for them.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        logging.AddProvider(new LineLoggerProvider(string.Equals(format, "json", StringComparison.OrdinalIgnoreCase), Console.Error));
    });
}

/// <summary>Writes each entry as one line, synchronously (entries are rare; ordering matters more than speed).</summary>
internal sealed class LineLoggerProvider(bool json, TextWriter output) : ILoggerProvider
{
    private readonly Lock _gate = new();

    public ILogger CreateLogger(string categoryName) => new LineLogger(this, categoryName);

    public void Dispose()
    {
    }

    private void Write(string category, LogLevel level, string message, Exception? exception)
    {
        var timestamp = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        string line;
        if (json)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("timestamp", timestamp);
                writer.WriteString("level", level.ToString());
                writer.WriteString("category", category);
                writer.WriteString("message", message);
                if (exception is not null)
                {
                    writer.WriteString("exception", exception.ToString());
                }

                writer.WriteEndObject();
            }

            line = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        else
        {
            // One entry, one line: a message can carry what a runtime sent (an init error's message),
            // and a CR or LF in it must not start a line that looks like the shim's own.
            var safe = OneLine(message);
            line = exception is null
                ? $"{timestamp} {Short(level)}: {category}: {safe}"
                : $"{timestamp} {Short(level)}: {category}: {safe}\n{exception}";
        }

        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    /// <summary><paramref name="message"/> with its control characters written as escapes (<c>\n</c>, <c>\r</c>, <c>\u0000</c>).</summary>
    internal static string OneLine(string message)
    {
        if (message.AsSpan().IndexOfAnyInRange('\0', '\u001f') < 0 && !message.Contains('\u007f', StringComparison.Ordinal))
        {
            return message;
        }

        var builder = new StringBuilder(message.Length + 16);
        foreach (var c in message)
        {
            _ = c switch
            {
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append('\t'),
                < ' ' or '\u007f' => builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => builder.Append(c),
            };
        }

        return builder.ToString();
    }

    private static string Short(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };

    private sealed class LineLogger(LineLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(category, logLevel, formatter(state, exception), exception);
            }
        }
    }
}
