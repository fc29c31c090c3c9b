namespace Lamina.Gateway.Hosting;

/// <summary>
/// A hosted service that acts only when the host begins to stop, before any service's StopAsync
/// (<see cref="IHostedLifecycleService.StoppingAsync"/>): what both roles' drains are
/// (<see cref="GatewayDrain"/>, <c>WorkerDrain</c>).
/// </summary>
internal abstract class StoppingHook : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public abstract Task StoppingAsync(CancellationToken cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
