namespace Lamina.Operator.Reconciliation;

/// <summary>
/// A zip function's code, resolved for its pods: the runtime that runs it, the zip's digest (from the
/// spec, or computed from the ConfigMap) and the layers, in order. The pod's fetch step verifies each
/// digest, so what runs is exactly what this names.
/// </summary>
/// <param name="RuntimeName">The spec's runtime, e.g. nodejs22.x.</param>
/// <param name="Runtime">The installation's definition of it.</param>
/// <param name="Code">The zip.</param>
/// <param name="ConfigMap">Where the zip is read from instead of the store, or null.</param>
/// <param name="Layers">The layers, applied in this order.</param>
internal sealed record FunctionPackage(
    string RuntimeName,
    ManagedRuntime Runtime,
    BlobDigest Code,
    ConfigMapKey? ConfigMap,
    IReadOnlyList<BlobDigest> Layers);
