using Lamina.Cli;

return await CliProgram.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable, CancellationToken.None).ConfigureAwait(false);
