using Lamina.Gateway.Functions;

namespace Lamina.Gateway.Tests.Fakes;

/// <summary>A fixed set of Functions, by (namespace, name), with their provisioned concurrency and async settings; records every lookup.</summary>
internal sealed class FakeFunctionCatalog(params (string Namespace, string Name)[] functions) : IFunctionCatalog
{
    private readonly HashSet<(string Namespace, string Name)> _functions = [.. functions];
    private readonly List<(string Namespace, string Name)> _lookups = [];

    public IReadOnlyList<(string Namespace, string Name)> Lookups => _lookups;

    /// <summary><c>spec.concurrency.provisioned</c> by function; absent means 0.</summary>
    public Dictionary<(string Namespace, string Name), int> Provisioned { get; } = [];

    /// <summary><c>spec.async</c> by function; absent means Lambda's defaults.</summary>
    public Dictionary<(string Namespace, string Name), FunctionAsyncSettings> Async { get; } = [];

    public bool Synced { get; set; } = true;

    public bool Exists(string @namespace, string name)
    {
        _lookups.Add((@namespace, name));
        return _functions.Contains((@namespace, name));
    }

    public int ProvisionedConcurrency(string @namespace, string name) => Provisioned.GetValueOrDefault((@namespace, name));

    public FunctionAsyncSettings? AsyncSettings(string @namespace, string name) =>
        _functions.Contains((@namespace, name)) ? Async.GetValueOrDefault((@namespace, name), FunctionAsyncSettings.Default) : null;
}
