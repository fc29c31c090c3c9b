using Lamina.Kubernetes.Informers;

namespace Lamina.Gateway.Functions;

/// <summary>The Functions an informer sees, in every namespace.</summary>
internal sealed class FunctionCatalog(Informer<GatewayFunction> informer) : IFunctionCatalog
{
    public Informer<GatewayFunction> Informer { get; } = informer;

    public bool Synced => Informer.HasSynced;

    public bool Exists(string @namespace, string name) => Informer.Store.Get(@namespace, name) is { Metadata.DeletionTimestamp: null };

    public int ProvisionedConcurrency(string @namespace, string name) =>
        Informer.Store.Get(@namespace, name)?.Spec?.Concurrency?.Provisioned ?? 0;

    public FunctionAsyncSettings? AsyncSettings(string @namespace, string name) =>
        Informer.Store.Get(@namespace, name) is { Metadata.DeletionTimestamp: null } function
            ? FunctionAsyncSettings.From(function.Spec?.Async)
            : null;
}
