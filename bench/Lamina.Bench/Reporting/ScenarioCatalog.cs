using System.Reflection;

namespace Lamina.Bench.Reporting;

/// <summary>
/// Every scenario of this assembly: each non-abstract class implementing <see cref="IScenario"/>, made
/// with its parameterless constructor. The ones that need no cluster come first (they are quick and
/// fail early), then by name.
/// </summary>
internal static class ScenarioCatalog
{
    public static IReadOnlyList<IScenario> All() =>
    [
        .. typeof(IScenario).Assembly.GetTypes()
            .Where(type => type is { IsAbstract: false, IsInterface: false } && typeof(IScenario).IsAssignableFrom(type))
            .Select(Create)
            .OrderBy(scenario => scenario.NeedsCluster)
            .ThenBy(scenario => scenario.Name, StringComparer.Ordinal),
    ];

    private static IScenario Create(Type type) =>
        type.GetConstructor(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, Type.EmptyTypes) is { } constructor
            ? (IScenario)constructor.Invoke(null)
            : throw new InvalidOperationException($"scenario {type.FullName} needs a parameterless constructor");
}
