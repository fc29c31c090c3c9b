using Lamina.Gateway.Async;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Lamina.Gateway.Worker;

/// <summary>
/// Puts delayed retries back into their streams once due: every <see cref="AsyncOptions.MoverInterval"/>,
/// one script per function moves the due members of its delayed set (XADD + ZREM, atomically, so a
/// retry is never lost nor doubled, however many replicas run the mover at once).
/// </summary>
internal sealed partial class DelayedEventMover(AsyncQueue queue, IOptions<AsyncOptions> options, TimeProvider time, ILogger<DelayedEventMover> logger) : BackgroundService
{
    /// <summary>Events moved per script call: bounds how long one call holds Redis (each is an XADD).</summary>
    private const int Batch = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(settings.MoverInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                foreach (var function in await queue.FunctionsAsync().ConfigureAwait(false))
                {
                    int moved;
                    do
                    {
                        moved = await queue.MoveDueAsync(function, time.GetUtcNow(), Batch).ConfigureAwait(false);
                        if (moved > 0)
                        {
                            await queue.AnnounceAsync(function).ConfigureAwait(false);
                        }
                    }
                    while (moved == Batch && !stoppingToken.IsCancellationRequested);
                }

                failing = false;
            }
            catch (RedisException e)
            {
                if (!failing)
                {
                    LogFailed(RedisSecrets.Scrub(e.Message, settings));
                }

                failing = true;
            }
        }
    }

    [LoggerMessage(EventId = 140, Level = LogLevel.Warning, Message = "Async retries: could not move due events back into their streams ({Reason}); trying again every interval")]
    private partial void LogFailed(string reason);
}
