using Lamina.Gateway.Functions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Lamina.Gateway.Async;

/// <summary>
/// Reads queue depth and oldest event age of every function with a stream every
/// <see cref="AsyncOptions.SampleInterval"/> for the gauges. Only functions that exist are published,
/// so a deleted function's name does not stay a label.
/// </summary>
internal sealed partial class AsyncQueueSampler(
    AsyncQueue queue,
    IFunctionCatalog catalog,
    AsyncMetrics metrics,
    IOptions<AsyncOptions> options,
    TimeProvider time,
    ILogger<AsyncQueueSampler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            await SampleAsync().ConfigureAwait(false);
            try
            {
                await Task.Delay(settings.SampleInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One sample of every function; on a Redis failure the gauges keep the last values.</summary>
    public async Task SampleAsync()
    {
        try
        {
            var samples = new List<QueueSample>();
            foreach (var function in await queue.FunctionsAsync().ConfigureAwait(false))
            {
                if (catalog.Exists(function.Namespace, function.Name))
                {
                    samples.Add(await queue.SampleAsync(function, time.GetUtcNow()).ConfigureAwait(false));
                }
            }

            metrics.Publish(samples);
        }
        catch (RedisException e)
        {
            var reason = RedisSecrets.Scrub(e.Message, options.Value);
            LogFailed(reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Async queue gauges: could not read Redis ({Reason}); keeping the last values")]
    private partial void LogFailed(string reason);
}
