namespace Lamina.RuntimeShim.Hosting;

/// <summary>The shim's own log (not the function's): one line per entry, JSON when LAMINA_LOG_FORMAT=json.</summary>
internal static class ShimLogging
{
    public static ILoggerFactory CreateFactory(string? format) => LoggerFactory.Create(logging =>
    {
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        if (string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
        {
            logging.AddJsonConsole(json => json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ");
        }
        else
        {
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                console.UseUtcTimestamp = true;
            });
        }

        // The function's log is stdout; the shim's own goes to stderr so the two can be told apart.
        logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
    });
}
