using Lamina.Gateway.Async;
using Lamina.Gateway.Functions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Lamina.Gateway.Worker;

/// <summary>
/// Reads queue depth and oldest event age of every function with a stream every
/// <see cref="AsyncOptions.SampleInterval"/> for the gauges, and Redis' memory (INFO memory). Only
/// functions that exist are published, so a deleted function's name does not stay a label. It also
/// applies the dead-letter retention (<see cref="AsyncOptions.DeadLetterRetention"/>) to every function's
/// dead-letter stream, deleted functions' included; replicas trimming at once remove each entry once.
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
            var cutoff = time.GetUtcNow() - options.Value.DeadLetterRetention;
            foreach (var function in await queue.FunctionsAsync().ConfigureAwait(false))
            {
                if (catalog.Exists(function.Namespace, function.Name))
                {
                    samples.Add(await queue.SampleAsync(function, time.GetUtcNow()).ConfigureAwait(false));
                }

                if (await queue.TrimDeadLettersAsync(function, cutoff).ConfigureAwait(false) is > 0 and var trimmed)
                {
                    metrics.Trimmed(function, trimmed);
                    LogTrimmed(function.Namespace, function.Name, trimmed);
                }
            }

            metrics.Publish(samples);
            var (used, max) = await queue.MemoryAsync().ConfigureAwait(false);
            metrics.PublishMemory(used, max);
        }
        catch (RedisException e)
        {
            var reason = RedisSecrets.Scrub(e.Message, options.Value);
            LogFailed(reason);
        }
    }

    [LoggerMessage(EventId = 150, Level = LogLevel.Information, Message = "Async dead letters of {Namespace}/{Function}: removed {Count} entries older than the retention")]
    private partial void LogTrimmed(string @namespace, string function, long count);

    [LoggerMessage(EventId = 151, Level = LogLevel.Debug, Message = "Async queue gauges: could not read Redis ({Reason}); keeping the last values")]
    private partial void LogFailed(string reason);
}
