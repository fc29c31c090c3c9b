using System.Globalization;
using System.Text;

namespace Lamina.RuntimeShim.Execution;

/// <summary>
/// The lines the shim itself writes into a function's log, in Lambda's words: START when the runtime
/// receives an event, END and REPORT when the invocation ends, and the lines of an error the platform
/// detected. Pure text, written once here so that the REPORT of an init failure and that of an
/// invocation cannot drift apart.
/// </summary>
internal static class PlatformLogLines
{
    public static byte[] Start(string requestId, string version) =>
        Encoding.UTF8.GetBytes($"START RequestId: {requestId} Version: {version}\n");

    /// <summary>
    /// END, then REPORT: the duration (billed in whole milliseconds, rounded up), the memory size, the
    /// peak memory when <paramref name="peakMemoryBytes"/> is known, the init duration on a cold
    /// start, and the error type when the invocation failed.
    /// </summary>
    public static byte[] EndAndReport(string requestId, TimeSpan duration, int memorySizeMB, long? peakMemoryBytes, TimeSpan? initDuration, string? errorType)
    {
        var builder = new StringBuilder(256);
        var milliseconds = duration.TotalMilliseconds;
        builder.Append(CultureInfo.InvariantCulture, $"END RequestId: {requestId}\n");
        builder.Append(CultureInfo.InvariantCulture, $"REPORT RequestId: {requestId}\tDuration: {milliseconds:0.00} ms\tBilled Duration: {Math.Ceiling(milliseconds):0} ms\tMemory Size: {memorySizeMB} MB");
        if (peakMemoryBytes is { } peak)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\tMax Memory Used: {peak / (1024 * 1024)} MB");
        }

        if (initDuration is { } init)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\tInit Duration: {Milliseconds(init)} ms");
        }

        if (errorType is not null)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\tStatus: error\tError Type: {errorType}");
        }

        builder.Append('\n');
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>What an error the platform detected adds before END: its message, then its type (as Lambda logs a runtime's exit).</summary>
    public static byte[] Error(LambdaError error) => Encoding.UTF8.GetBytes($"{error.ErrorMessage}\n{error.ErrorType}\n");

    /// <summary>Lambda's timeout line, stamped with the moment the deadline passed.</summary>
    public static byte[] TimedOut(DateTimeOffset now, string requestId, TimeSpan allowed) =>
        Encoding.UTF8.GetBytes($"{now:yyyy-MM-ddTHH:mm:ss.fffZ} {requestId} Task timed out after {Seconds(allowed)} seconds\n");

    /// <summary>A duration as Lambda writes milliseconds: two decimals.</summary>
    public static string Milliseconds(TimeSpan duration) =>
        duration.TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>A duration as Lambda writes seconds in a timeout: two decimals, never negative.</summary>
    public static string Seconds(TimeSpan duration) =>
        Math.Max(0, duration.TotalSeconds).ToString("0.00", CultureInfo.InvariantCulture);
}
