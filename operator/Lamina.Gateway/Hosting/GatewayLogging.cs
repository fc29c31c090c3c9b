using Lamina.Gateway.Invoke;

namespace Lamina.Gateway.Hosting;

/// <summary>
/// The gateway's logging: one line per entry on the console (JSON with LAMINA_LOG_FORMAT=json), and
/// defaults that keep logging off the warm path, each of which configuration can override.
/// </summary>
internal static class GatewayLogging
{
    /// <summary>The ASP.NET Core category whose mere enablement costs every request an Activity and a scope.</summary>
    public const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static void Configure(ILoggingBuilder logging, IConfiguration configuration, string? format)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(configuration);
        if (format == "json")
        {
            logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ");
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }

        // ASP.NET Core logs every request at Information, four lines each, which cost about 0.05 ms
        // per invocation on a 2-core machine (make bench SCENARIO=gateway). So they start at Warning,
        // as in ASP.NET's templates, and configuration can turn them back on.
        if (configuration["Logging:LogLevel:Microsoft.AspNetCore"] is null)
        {
            logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

            // Hosting starts an Activity and a logging scope for every request while this category is
            // enabled at any level (it checks Critical), though it logs only the request lines turned
            // off above; the Activity then made HttpClient add a traceparent to every call to a shim.
            // Nothing reads either: the gateway exports no traces.
            logging.AddFilter(HostingDiagnostics, LogLevel.None);
        }

        // The access log (a line per invocation) is off unless configuration turns it on: AccessLog says why.
        if (configuration[$"Logging:LogLevel:{AccessLog.Category}"] is null)
        {
            logging.AddFilter(AccessLog.Category, LogLevel.Warning);
        }
    }
}
