using Microsoft.Extensions.Logging;

namespace Lamina.Metrics;

internal sealed partial class PrometheusExporter
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Metric {Metric} of meter {Meter} is not exported: the name is already a {ExistingType} of another shape, and this instrument is a {Type}")]
        public static partial void InstrumentConflict(ILogger logger, string metric, string meter, string existingType, string type);

        [LoggerMessage(2, LogLevel.Warning, "An observable instrument's callback failed during a scrape; its values are missing from this scrape")]
        public static partial void ObservableCallbackFailed(ILogger logger, Exception exception);

        [LoggerMessage(3, LogLevel.Warning, "Metric {Metric} reached {Limit} label sets; further label sets are counted in its overflow=\"true\" series (is a label fed with unbounded values?)")]
        public static partial void SeriesLimitReached(ILogger logger, string metric, int limit);
    }
}
