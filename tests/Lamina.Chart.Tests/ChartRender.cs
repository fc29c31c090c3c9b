using System.Collections.Concurrent;
using Lamina.Testing;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Lamina.Chart.Tests;

/// <summary>
/// Renders charts/lamina with <c>helm template</c> and parses every object. Renders are cached by
/// their arguments: many tests read the same few renders.
/// </summary>
internal static class ChartRender
{
    public const string ReleaseName = "lamina";
    public const string ReleaseNamespace = "lamina-system";

    /// <summary>Kubernetes 1.20: the local cluster (policy/v1beta1 only).</summary>
    public static readonly string[] Kube120 = ["--kube-version", "1.20.2"];

    /// <summary>A current cluster that serves policy/v1 PodDisruptionBudgets.</summary>
    public static readonly string[] Kube130 = ["--api-versions", "policy/v1/PodDisruptionBudget", "--kube-version", "1.30.0"];

    private static readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<Manifest>>>> Cache = new();

    public static string Root => RepositoryLayout.Discover().Root;

    public static string ChartPath => Path.Combine(Root, "charts", "lamina");

    public static string FullValuesPath => Path.Combine(Root, "tests", "Lamina.Chart.Tests", "values-full.yaml");

    /// <summary>The values files tests render with: the defaults and every option on.</summary>
    public static string[] FullValues => ["-f", FullValuesPath];

    /// <summary>The renders every structural test checks: defaults and full values, on 1.20 and on 1.30.</summary>
    public static TheoryData<string> Renders => new() { "default@1.20", "default@1.30", "full@1.20", "full@1.30" };

    /// <summary>One of <see cref="Renders"/> by name.</summary>
    public static Task<IReadOnlyList<Manifest>> NamedAsync(string name) => name switch
    {
        "default@1.20" => RenderAsync(Kube120),
        "default@1.30" => RenderAsync(Kube130),
        "full@1.20" => RenderAsync([.. FullValues, .. Kube120]),
        "full@1.30" => RenderAsync([.. FullValues, .. Kube130]),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such render"),
    };

    /// <summary>Whether <paramref name="name"/> renders values-full.yaml.</summary>
    public static bool IsFull(string name) => name.StartsWith("full", StringComparison.Ordinal);

    /// <summary><c>helm template lamina charts/lamina -n lamina-system</c> with <paramref name="args"/>; fails the test when helm fails.</summary>
    public static Task<IReadOnlyList<Manifest>> RenderAsync(params string[] args) =>
        Cache.GetOrAdd(string.Join('\u0001', args), _ => new Lazy<Task<IReadOnlyList<Manifest>>>(async () =>
            Parse(await Helm.RunCheckedAsync(TemplateArgs(args))))).Value;

    /// <summary>The same render, not checked: for tests that expect helm to refuse.</summary>
    public static Task<HelmResult> TryRenderAsync(params string[] args) => Helm.RunAsync(TemplateArgs(args));

    private static string[] TemplateArgs(string[] args) => ["template", ReleaseName, ChartPath, "--namespace", ReleaseNamespace, .. args];

    /// <summary>Every non-empty YAML document of <paramref name="yaml"/>.</summary>
    public static IReadOnlyList<Manifest> Parse(string yaml)
    {
        var deserializer = new DeserializerBuilder().Build();
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        var manifests = new List<Manifest>();
        while (parser.Accept<DocumentStart>(out _))
        {
            if (deserializer.Deserialize<object?>(parser) is Dictionary<object, object> root)
            {
                manifests.Add(new Manifest(root));
            }
        }

        return manifests;
    }
}

/// <summary>One rendered object, with the few accessors the tests need over YamlDotNet's untyped graph.</summary>
internal sealed class Manifest(Dictionary<object, object> root)
{
    public Dictionary<object, object> Root { get; } = root;

    public string Kind => Yaml.Str(Root, "kind")!;

    public string ApiVersion => Yaml.Str(Root, "apiVersion")!;

    public string Name => Yaml.Str(Root, "metadata.name")!;

    public string? Namespace => Yaml.Str(Root, "metadata.namespace");

    public override string ToString() => $"{Kind} {Namespace}/{Name}";
}

/// <summary>Dotted-path access to YamlDotNet's untyped graph (maps, lists, strings).</summary>
internal static class Yaml
{
    public static object? At(object? node, string path)
    {
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node is Dictionary<object, object> map && map.TryGetValue(part, out var next) ? next : null;
        }

        return node;
    }

    public static string? Str(object? node, string path) => At(node, path) as string;

    public static Dictionary<object, object>? Map(object? node, string path) => At(node, path) as Dictionary<object, object>;

    public static List<object> List(object? node, string path) => At(node, path) as List<object> ?? [];

    public static IEnumerable<Dictionary<object, object>> Maps(object? node, string path) => List(node, path).OfType<Dictionary<object, object>>();

    public static IReadOnlyDictionary<string, string> StringMap(object? node, string path) =>
        Map(node, path)?.ToDictionary(e => (string)e.Key, e => e.Value as string ?? "") ?? [];

    /// <summary>The environment variable <paramref name="name"/>'s literal value in a container, or null.</summary>
    public static string? Env(Dictionary<object, object> container, string name) =>
        Maps(container, "env").FirstOrDefault(e => Str(e, "name") == name) is { } variable ? Str(variable, "value") ?? "" : null;
}
