namespace Lamina.Gateway.Tests.Hosting;

/// <summary>
/// Tests that start the metrics composition run alone: its MeterProvider also listens to meters
/// made without a factory (<c>new Meter("Lamina.Kubernetes")</c>, as an informer built without one
/// does), which other tests of this assembly record on while they run.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsPageCollection
{
    public const string Name = "metrics page";
}
