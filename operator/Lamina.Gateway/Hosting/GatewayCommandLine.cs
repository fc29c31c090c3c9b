namespace Lamina.Gateway.Hosting;

/// <summary>The gateway's own switches, taken out before the rest goes to the host's configuration.</summary>
internal sealed record GatewayCommandLine(bool AuthNone, string[] HostArguments)
{
    public static GatewayCommandLine Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var authNone = false;
        var rest = new List<string>(args.Length);
        foreach (var arg in args)
        {
            if (arg is "--auth=none")
            {
                authNone = true;
            }
            else if (arg.StartsWith("--auth=", StringComparison.Ordinal) && arg != "--auth=sigv4")
            {
                throw new ArgumentException($"unknown {arg}: use --auth=sigv4 (the default) or --auth=none (local development only)");
            }
            else if (arg != "--auth=sigv4")
            {
                rest.Add(arg);
            }
        }

        return new GatewayCommandLine(authNone, [.. rest]);
    }
}
