using System.Collections.Concurrent;
using Lamina.Gateway.Functions;

namespace Lamina.Integration.Tests.Gateway.Async;

/// <summary>The Functions a test declares, with their async settings; synced from the start.</summary>
internal sealed class StaticFunctionCatalog : IFunctionCatalog
{
    private readonly ConcurrentDictionary<(string Namespace, string Name), FunctionAsyncSettings> _functions = new();

    public bool Synced => true;

    public StaticFunctionCatalog Add(string @namespace, string name, FunctionAsyncSettings? settings = null)
    {
        _functions[(@namespace, name)] = settings ?? FunctionAsyncSettings.Default;
        return this;
    }

    public bool Exists(string @namespace, string name) => _functions.ContainsKey((@namespace, name));

    public int ProvisionedConcurrency(string @namespace, string name) => 0;

    public FunctionAsyncSettings? AsyncSettings(string @namespace, string name) => _functions.GetValueOrDefault((@namespace, name));
}
