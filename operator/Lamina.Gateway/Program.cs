using Lamina.Gateway.Hosting;

return await GatewayHost.RunAsync(args).ConfigureAwait(false);
