using Lamina.Kubernetes.Informers;

namespace Lamina.Gateway.Functions;

/// <summary>The Functions an informer sees, in every namespace.</summary>
internal sealed class FunctionCatalog(Informer<GatewayFunction> informer) : IFunctionCatalog
{
    public Informer<GatewayFunction> Informer { get; } = informer;

    public bool Exists(string @namespace, string name) => Informer.Store.Get(@namespace, name) is { Metadata.DeletionTimestamp: null };

    public int ProvisionedConcurrency(string @namespace, string name) =>
        Informer.Store.Get(@namespace, name)?.Spec?.Concurrency?.Provisioned ?? 0;
}
