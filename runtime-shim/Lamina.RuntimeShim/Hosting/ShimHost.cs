using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Lamina.Contracts.Lambda;
using Lamina.Contracts.Shim;
using Lamina.RuntimeShim.Admin;
using Lamina.RuntimeShim.Execution;
using Lamina.RuntimeShim.Http;
using Lamina.RuntimeShim.Invoke;
using Lamina.RuntimeShim.Metrics;
using Lamina.RuntimeShim.RuntimeApi;
using Lamina.RuntimeShim.Supervision;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenTelemetry.Metrics;

namespace Lamina.RuntimeShim.Hosting;

/// <summary>
/// Runs the shim: binds the Runtime API, starts the runtime, and only then builds the web host, so the
/// runtime's start-up and the shim's overlap (the runtime's first <c>next</c> waits in the socket's
/// backlog until Kestrel accepts it). Returns the process exit code.
/// </summary>
internal static partial class ShimHost
{
    // After SIGTERM the in-flight invocation may run to its deadline; the kubelet's grace (the
    // operator sets timeout + 10 s) bounds the whole shutdown, this only keeps the host from cutting it short.
    private static readonly TimeSpan ShutdownAllowance = TimeSpan.FromSeconds(10);

    // Connections each port keeps open at most (docs/runtime-shim.md, "Limits"). An environment runs
    // one invocation at a time: each gateway holds one or two pooled connections to it, so 64 leaves
    // room for dozens of gateways and their retries while an idle flood from another pod stops there
    // rather than at the pod's memory limit.
    private const int InvokeConnections = 64;

    // The controller's readiness long-poll (two while its leader changes), Prometheus, the kubelet's probes.
    private const int AdminConnections = 32;

    // The runtime and whatever its process opens (AWS's clients keep one connection; extensions a few).
    private const int RuntimeApiConnections = 32;

    // Kestrel's default is 32 KB; Lamina's and the Runtime API's headers need a few.
    private const int HeaderBytes = 16 * 1024;

    // Headers arrive in one packet from a gateway or a runtime; Kestrel's default waits 30 s for slow ones.
    private static readonly TimeSpan HeaderTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(ShimOptions options)
    {
        using var loggerFactory = ShimLogging.CreateFactory(System.Environment.GetEnvironmentVariable("LAMINA_LOG_FORMAT"));
        var logger = loggerFactory.CreateLogger("Lamina.RuntimeShim");
        var identity = FunctionIdentity.FromEnvironment(System.Environment.GetEnvironmentVariable);

        Socket runtimeApiSocket;
        try
        {
            runtimeApiSocket = Listen(options.RuntimeApiEndpoint);
        }
        catch (SocketException e)
        {
            return Fail(logger, $"cannot listen on {options.RuntimeApiEndpoint} for the Runtime API: {e.Message}");
        }

        using (runtimeApiSocket)
        using (var meter = new Meter(ShimMetrics.MeterName))
        using (var meterProvider = ShimMetricsExport.CreateMeterProvider())
        using (var log = new ConsoleFunctionLog())
        {
            var time = TimeProvider.System;
            var metrics = new ShimMetrics(meter, identity);
            var environment = new ExecutionEnvironment(EnvironmentOptionsFrom(options, identity), time, log, metrics, loggerFactory.CreateLogger<ExecutionEnvironment>());
            var launch = RuntimeEnvironment.Launch(options, System.Environment.GetEnvironmentVariables(), Directory.Exists);
            var supervisor = new RuntimeSupervisor(launch, environment, log, time, metrics, loggerFactory.CreateLogger<RuntimeSupervisor>());
            supervisor.StartFirst();

            try
            {
                await using var app = Build(options, loggerFactory, runtimeApiSocket, environment, supervisor, metrics, meterProvider);
                if (options.Local)
                {
                    LogLocal(logger, options.InvokeEndpoint.ToString());
                }

                await app.RunAsync().ConfigureAwait(false);
                return 0;
            }
            catch (Exception e) when (e is IOException or SocketException or InvalidOperationException)
            {
                await supervisor.StopRuntimeAsync().ConfigureAwait(false);
                return Fail(logger, e.Message);
            }
        }
    }

    private static WebApplication Build(ShimOptions options, ILoggerFactory loggerFactory, Socket runtimeApiSocket, ExecutionEnvironment environment, RuntimeSupervisor supervisor, ShimMetrics metrics, MeterProvider meterProvider)
    {
        // The empty builder, not the slim one: the slim one watches the working folder (the image's
        // WORKDIR, often /) for appsettings changes (9 s and 59,000 inotify watches at / here), and
        // would let ASPNETCORE_* variables meant for the function configure the shim.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = environment.Options.Timeout + ShutdownAllowance);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(environment);
        builder.Services.AddSingleton(supervisor);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddHostedService(static provider => provider.GetRequiredService<RuntimeSupervisor>());
        builder.Services.AddHostedService<DrainService>();
        builder.Services.AddSingleton<RuntimeApiHandler>();
        var tokens = InvokeTokens.Parse(System.Environment.GetEnvironmentVariable(ShimPodEnvironment.InvokeTokenSha256), options.Local);
        if (tokens.RefusesEveryone)
        {
            LogNoTokens(loggerFactory.CreateLogger("Lamina.RuntimeShim"), ShimPodEnvironment.InvokeTokenSha256);
        }

        builder.Services.AddSingleton(provider => new InvokeHandler(
            provider.GetRequiredService<ExecutionEnvironment>(),
            provider.GetRequiredService<TimeProvider>(),
            rieEnabled: provider.GetRequiredService<ShimOptions>().Local,
            tokens));
        builder.Services.AddSingleton<AdminHandler>();
        builder.Services.AddSingleton<ShimDispatcher>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            var limits = kestrel.Limits;
            // Every body the shim reads is bounded by RequestBody (6 MB and a little); this stops one it
            // does not read (an admin path) from being buffered past that.
            limits.MaxRequestBodySize = PayloadLimits.Response + 1;
            // Lamina's headers are short (a client context is at most 3,583 bytes of base64): 16 KB in all.
            limits.MaxRequestHeadersTotalSize = HeaderBytes;
            limits.RequestHeadersTimeout = HeaderTimeout;
            // Kestrel's minimum body data rate (240 bytes/s after 5 s) stays on for every port: a
            // runtime posts its result over loopback far faster, and a stalled body must not hold a
            // connection (or the init/error call, which has no deadline) forever. Keep-alive stays at
            // Kestrel's 130 s, longer than the gateways' pooled-connection idle time, so a gateway never
            // reuses a connection the shim is closing.

            // The Runtime API speaks HTTP/1.1 only: AWS's runtime clients expect exactly that.
            kestrel.ListenHandle((ulong)runtimeApiSocket.Handle, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.Use(new ConnectionCap(RuntimeApiConnections, () => metrics.ConnectionRefused("runtime_api")).Wrap);
            });
            kestrel.Listen(options.InvokeEndpoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.Use(new ConnectionCap(options.AdminEndpoint is null ? InvokeConnections + AdminConnections : InvokeConnections, () => metrics.ConnectionRefused("invoke")).Wrap);
            });
            if (options.AdminEndpoint is { } admin)
            {
                kestrel.Listen(admin, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    listen.Use(new ConnectionCap(AdminConnections, () => metrics.ConnectionRefused("admin")).Wrap);
                });
            }
        });

        var app = builder.Build();
        var dispatcher = app.Services.GetRequiredService<ShimDispatcher>();
        // A scrape branches off to OpenTelemetry's Prometheus exporter (text or OpenMetrics, as the
        // scraper's Accept header asks); everything else goes to the dispatcher.
        app.UseOpenTelemetryPrometheusScrapingEndpoint(
            meterProvider,
            predicate: context => dispatcher.IsAdmin(context) && AdminHandler.IsScrape(context),
            path: null,
            configureBranchedPipeline: static branch => branch.Use(static (context, next) =>
            {
                AdminHandler.NoStore(context.Response);
                return next(context);
            }),
            optionsName: null);
        app.Run(new RequestDelegate(dispatcher.HandleAsync));
        return app;
    }

    private static EnvironmentOptions EnvironmentOptionsFrom(ShimOptions options, FunctionIdentity identity)
    {
        Func<string, string?> variable = System.Environment.GetEnvironmentVariable;
        var region = variable("AWS_REGION") is { Length: > 0 } r ? r : "us-east-1";
        return new EnvironmentOptions
        {
            Timeout = options.Timeout,
            FunctionArn = variable(ShimPodEnvironment.FunctionArn) is { Length: > 0 } arn ? arn : $"arn:aws:lambda:{region}:000000000000:function:{identity.Name}",
            Version = variable("AWS_LAMBDA_FUNCTION_VERSION") is { Length: > 0 } version ? version : LambdaInvokeApi.Latest,
            Provisioned = variable("AWS_LAMBDA_INITIALIZATION_TYPE") == "provisioned-concurrency",
            MemorySizeMB = int.TryParse(variable("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), NumberStyles.None, CultureInfo.InvariantCulture, out var memory) ? memory : 3008,
        };
    }

    /// <summary>Binds and listens before the runtime starts: its first connection waits in the backlog.</summary>
    private static Socket Listen(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endpoint);
            socket.Listen(512);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A fatal start-up error: logged, and left where the kubelet shows it in the pod's status.</summary>
    private static int Fail(ILogger logger, string message)
    {
        LogFatal(logger, message);
        try
        {
            if (File.Exists("/dev/termination-log"))
            {
                File.WriteAllText("/dev/termination-log", "runtime-shim: " + message);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort only.
        }

        return 1;
    }

    [LoggerMessage(1, LogLevel.Critical, "runtime-shim cannot run: {Reason}")]
    private static partial void LogFatal(ILogger logger, string reason);

    [LoggerMessage(2, LogLevel.Information, "Local mode: invoke with POST http://{Endpoint}/2015-03-31/functions/function/invocations")]
    private static partial void LogLocal(ILogger logger, string endpoint);

    [LoggerMessage(3, LogLevel.Warning, "{Variable} holds no valid hash: every invoke-contract call is refused (401) until the operator rolls this pod with the gateways' token hashes")]
    private static partial void LogNoTokens(ILogger logger, string variable);
}
