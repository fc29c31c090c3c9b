namespace Lamina.Gateway.Functions;

/// <summary>Which Functions exist (kept current from the cluster).</summary>
internal interface IFunctionCatalog
{
    bool Exists(string @namespace, string name);

    /// <summary>The function's <c>spec.concurrency.provisioned</c>; 0 when unset or when there is no such function.</summary>
    int ProvisionedConcurrency(string @namespace, string name);
}
