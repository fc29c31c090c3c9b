namespace Lamina.Gateway.Functions;

/// <summary>Which Functions exist (kept current from the cluster).</summary>
internal interface IFunctionCatalog
{
    /// <summary>
    /// True once the catalog has listed the cluster: before that an existing function looks absent,
    /// so nothing that drops work for an unknown function may act on its answers.
    /// </summary>
    bool Synced { get; }

    bool Exists(string @namespace, string name);

    /// <summary>The function's <c>spec.concurrency.provisioned</c>; 0 when unset or when there is no such function.</summary>
    int ProvisionedConcurrency(string @namespace, string name);

    /// <summary>The function's <c>spec.async</c> with defaults applied; null when there is no such function.</summary>
    FunctionAsyncSettings? AsyncSettings(string @namespace, string name);
}
