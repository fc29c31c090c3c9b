using Lamina.RuntimeShim.Code;
using Lamina.RuntimeShim.Hosting;

var command = ShimCommandLine.Parse(args, Environment.GetEnvironmentVariable);
switch (command)
{
    case ShimCommand.Help:
        Console.Out.WriteLine(ShimCommandLine.Usage);
        return 0;
    case ShimCommand.Invalid invalid:
        Console.Error.WriteLine($"runtime-shim: {invalid.Message}");
        if (invalid.TerminationLog is { } terminationLog)
        {
            TerminationMessage.TryWrite(terminationLog, $"runtime-shim: {invalid.Message}");
        }

        Console.Error.WriteLine("Run runtime-shim --help for usage.");
        return 2;
    case ShimCommand.Install install:
        return Installer.Run(install.Target, Console.Out, Console.Error);
    case ShimCommand.Fetch fetch:
        return await CodeFetcher.RunAsync(fetch.Options, Console.Out, Console.Error).ConfigureAwait(false);
    case ShimCommand.Run run:
        return await ShimHost.RunAsync(run.Options).ConfigureAwait(false);
    default:
        throw new InvalidOperationException($"unhandled command {command}");
}
