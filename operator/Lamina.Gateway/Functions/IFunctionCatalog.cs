namespace Lamina.Gateway.Functions;

/// <summary>Which Functions exist (kept current from the cluster).</summary>
internal interface IFunctionCatalog
{
    bool Exists(string @namespace, string name);
}
