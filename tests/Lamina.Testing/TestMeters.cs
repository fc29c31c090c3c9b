using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Lamina.Testing;

/// <summary>
/// A meter factory for one test, as the programs get theirs (<c>AddMetrics()</c>): its meters'
/// <see cref="Meter.Scope"/> is the factory, so <see cref="MetricCollectors"/> on it sees this
/// test's instruments only. Disposing the factory disposes its meters.
/// </summary>
public static class TestMeters
{
    /// <summary>A new factory, owned by the caller.</summary>
    public static IMeterFactory Factory() =>
        new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
}
