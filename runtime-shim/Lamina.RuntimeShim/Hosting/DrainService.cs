using Lamina.RuntimeShim.Execution;
using Lamina.RuntimeShim.Supervision;

namespace Lamina.RuntimeShim.Hosting;

/// <summary>
/// SIGTERM handling. The host calls <see cref="StoppingAsync"/> before it stops any service (Kestrel
/// included), so the in-flight invocation finishes while the runtime can still reach the Runtime API
/// and the gateway still gets its answer; readiness fails from the first moment. Then the runtime is
/// stopped and the host goes on to close the listeners.
/// </summary>
internal sealed class DrainService(ExecutionEnvironment environment, RuntimeSupervisor supervisor) : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await environment.DrainAsync(cancellationToken).ConfigureAwait(false);
        await supervisor.StopRuntimeAsync().ConfigureAwait(false);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
