using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Lamina.Testing;

/// <summary>Sends log lines to a test's output, so a failing test shows what the code under test said.</summary>
public sealed class TestOutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider
{
    /// <summary>A logger factory writing to <paramref name="output"/> from <paramref name="level"/> up.</summary>
    public static ILoggerFactory Factory(ITestOutputHelper output, LogLevel level = LogLevel.Information) =>
        LoggerFactory.Create(builder => builder.SetMinimumLevel(level).AddProvider(new TestOutputLoggerProvider(output)));

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(output, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Logger(ITestOutputHelper output, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
            }
            catch (InvalidOperationException)
            {
                // The test has finished; background work still logging is ignored.
            }
        }
    }
}
