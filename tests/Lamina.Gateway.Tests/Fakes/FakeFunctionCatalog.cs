using Lamina.Gateway.Functions;

namespace Lamina.Gateway.Tests.Fakes;

/// <summary>A fixed set of Functions, by (namespace, name); records every lookup.</summary>
internal sealed class FakeFunctionCatalog(params (string Namespace, string Name)[] functions) : IFunctionCatalog
{
    private readonly HashSet<(string Namespace, string Name)> _functions = [.. functions];
    private readonly List<(string Namespace, string Name)> _lookups = [];

    public IReadOnlyList<(string Namespace, string Name)> Lookups => _lookups;

    public bool Exists(string @namespace, string name)
    {
        _lookups.Add((@namespace, name));
        return _functions.Contains((@namespace, name));
    }
}
