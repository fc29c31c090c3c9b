namespace Lamina.Chart.Tests;

/// <summary>The chart's Deployments and StatefulSets, their pod specs and containers.</summary>
internal static class ChartWorkloads
{
    public static readonly string[] WorkloadKinds = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"];

    public static IEnumerable<(Manifest Workload, Dictionary<object, object> Spec)> PodSpecs(IEnumerable<Manifest> manifests) =>
        manifests.Where(m => WorkloadKinds.Contains(m.Kind)).Select(m => (m, Yaml.Map(m.Root, "spec.template.spec")!));

    public static IEnumerable<Dictionary<object, object>> Containers(Dictionary<object, object> podSpec) =>
        Yaml.Maps(podSpec, "initContainers").Concat(Yaml.Maps(podSpec, "containers"));

    /// <summary>The workload of a component (label app.kubernetes.io/component).</summary>
    public static Manifest Workload(IEnumerable<Manifest> manifests, string component) =>
        Assert.Single(manifests, m => WorkloadKinds.Contains(m.Kind)
            && Yaml.StringMap(m.Root, "metadata.labels").GetValueOrDefault("app.kubernetes.io/component") == component);

    /// <summary>The first container of a component's pods.</summary>
    public static Dictionary<object, object> Container(IEnumerable<Manifest> manifests, string component) =>
        Yaml.Maps(Workload(manifests, component).Root, "spec.template.spec.containers").First();
}
