using Microsoft.Extensions.Options;

namespace Lamina.Metrics;

/// <summary>Rejects options that would export nothing or produce an invalid exposition.</summary>
internal sealed class PrometheusExporterOptionsValidator : IValidateOptions<PrometheusExporterOptions>
{
    public ValidateOptionsResult Validate(string? name, PrometheusExporterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MeterNames.Count == 0 && options.MeterNamePrefixes.Count == 0)
        {
            failures.Add("name at least one meter (MeterNames) or meter name prefix (MeterNamePrefixes) to export");
        }

        if (options.MeterNamePrefixes.Any(string.IsNullOrEmpty) || options.MeterNames.Any(string.IsNullOrEmpty))
        {
            failures.Add("meter names and prefixes must not be empty");
        }

        if (!HistogramBoundaries.AreValid(options.DefaultHistogramBoundaries))
        {
            failures.Add("DefaultHistogramBoundaries must be finite and strictly ascending");
        }

        if (options.MaxSeriesPerMetric < 1)
        {
            failures.Add("MaxSeriesPerMetric must be at least 1");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
