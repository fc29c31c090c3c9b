using System.Globalization;
using System.Net;
using Lamina.Contracts.Code;
using Lamina.Contracts.Shim;
using Lamina.RuntimeShim.Code;

namespace Lamina.RuntimeShim.Hosting;

/// <summary>
/// Parses the shim's arguments. Hand-written rather than System.CommandLine: the grammar is five
/// options and a <c>--</c>, and every dependency is start-up time and bytes in every function pod.
/// </summary>
internal static class ShimCommandLine
{
    public const string Usage = $$"""
        Usage:
          runtime-shim [options] -- <command> [args...]   run a Lambda runtime as the shim's child
          runtime-shim install <dir>                      copy the shim (with its loader and libraries) into <dir>
        {{FetchCommandLine.Usage}}

        Options:
          --local                  emulate one Lambda environment locally, like AWS's RIE: invoke with
                                   POST http://127.0.0.1:8080/2015-03-31/functions/function/invocations
          --invoke-address <a:p>   invoke contract address (default 0.0.0.0:8080; 127.0.0.1:8080 with --local)
          --admin-address <a:p>    /healthz, /readyz, /metrics (default 0.0.0.0:9090; with --local they share the invoke address)
          --runtime-api <a:p>      Runtime API address given to the runtime (default 127.0.0.1:9001)
          --timeout <seconds>      the function timeout (default $LAMINA_TIMEOUT_SECONDS, else
                                   $AWS_LAMBDA_FUNCTION_TIMEOUT, else 3; 300 with --local, like RIE)

        {{FetchCommandLine.OptionsUsage}}
        """;

    // Lambda's own default timeout; RIE's default is 300 s because a local run is interactive.
    private const int DefaultTimeoutSeconds = 3;
    private const int LocalTimeoutSeconds = 300;
    private const int MaximumTimeoutSeconds = 900;

    public static ShimCommand Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        if (args.Count == 0)
        {
            return new ShimCommand.Invalid("no runtime command: give it after --");
        }

        if (args[0] == CodeFetchContract.Command)
        {
            return FetchCommandLine.Parse(args);
        }

        if (args[0] == "install")
        {
            return args.Count == 2 && args[1].Length > 0
                ? new ShimCommand.Install(args[1])
                : new ShimCommand.Invalid("install takes exactly one argument: the target folder");
        }

        var local = false;
        string? invoke = null, admin = null, runtimeApi = null, timeout = null;
        var index = 0;
        for (; index < args.Count; index++)
        {
            var arg = args[index];
            if (arg == "--")
            {
                index++;
                break;
            }

            switch (arg)
            {
                case "-h" or "--help":
                    return new ShimCommand.Help();
                case "--local":
                    local = true;
                    continue;
                case "--invoke-address" or "--admin-address" or "--runtime-api" or "--timeout":
                    if (index + 1 >= args.Count)
                    {
                        return new ShimCommand.Invalid($"{arg} needs a value");
                    }

                    var value = args[++index];
                    _ = arg switch
                    {
                        "--invoke-address" => invoke = value,
                        "--admin-address" => admin = value,
                        "--runtime-api" => runtimeApi = value,
                        _ => timeout = value,
                    };
                    continue;
                default:
                    return new ShimCommand.Invalid($"unknown option '{arg}' (the runtime's command goes after --)");
            }
        }

        if (index >= args.Count)
        {
            return new ShimCommand.Invalid("no runtime command: give it after --");
        }

        var command = new List<string>(args.Count - index);
        for (; index < args.Count; index++)
        {
            command.Add(args[index]);
        }

        if (!TryEndpoint(invoke ?? (local ? $"127.0.0.1:{ShimPod.InvokePort}" : $"0.0.0.0:{ShimPod.InvokePort}"), out var invokeEndpoint))
        {
            return new ShimCommand.Invalid($"--invoke-address '{invoke}' is not an address:port");
        }

        IPEndPoint? adminEndpoint = null;
        if ((admin is not null || !local) && !TryEndpoint(admin ?? $"0.0.0.0:{ShimPod.AdminPort}", out adminEndpoint))
        {
            return new ShimCommand.Invalid($"--admin-address '{admin}' is not an address:port");
        }

        if (!TryEndpoint(runtimeApi ?? ShimPod.RuntimeApi, out var runtimeApiEndpoint) || !IPAddress.IsLoopback(runtimeApiEndpoint.Address))
        {
            return new ShimCommand.Invalid($"--runtime-api '{runtimeApi}' is not a loopback address:port (the Runtime API is for the runtime in this container only)");
        }

        var ports = new HashSet<int> { invokeEndpoint.Port, runtimeApiEndpoint.Port };
        if (ports.Count < 2 || (adminEndpoint is not null && !ports.Add(adminEndpoint.Port)))
        {
            return new ShimCommand.Invalid("the invoke, admin and Runtime API addresses need different ports (the shim tells its servers apart by port)");
        }

        timeout ??= NonEmpty(environment(ShimPodEnvironment.TimeoutSeconds)) ?? NonEmpty(environment("AWS_LAMBDA_FUNCTION_TIMEOUT"));
        var seconds = local ? LocalTimeoutSeconds : DefaultTimeoutSeconds;
        if (timeout is not null
            && (!int.TryParse(timeout, NumberStyles.None, CultureInfo.InvariantCulture, out seconds) || seconds < 1 || seconds > MaximumTimeoutSeconds))
        {
            return new ShimCommand.Invalid($"the timeout '{timeout}' is not a whole number of seconds from 1 to {MaximumTimeoutSeconds}");
        }

        return new ShimCommand.Run(new ShimOptions
        {
            RuntimeCommand = command,
            Local = local,
            InvokeEndpoint = invokeEndpoint,
            AdminEndpoint = adminEndpoint,
            RuntimeApiEndpoint = runtimeApiEndpoint,
            Timeout = TimeSpan.FromSeconds(seconds),
        });
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static bool TryEndpoint(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPEndPoint? endpoint)
        => IPEndPoint.TryParse(text, out endpoint) && endpoint.Port > 0 && text.Contains(':', StringComparison.Ordinal);
}
