using Lamina.Operator.Api;

namespace Lamina.Operator.Reconciliation;

/// <summary>
/// A function's spec with every default applied: the API server fills defaults in, but objects
/// written before a default existed (or built in tests) may lack them.
/// </summary>
internal sealed record EffectiveSpec(
    string Image,
    IReadOnlyList<string> Command,
    IReadOnlyList<string> Args,
    string? Handler,
    int MemoryMB,
    int TimeoutSeconds,
    int? Reserved,
    int Provisioned,
    int IdleSeconds,
    int EphemeralStorageMB)
{
    /// <summary>Applies the defaults to <paramref name="spec"/>; a zip function's image and command are its <paramref name="runtime"/>'s.</summary>
    public static EffectiveSpec Of(FunctionSpec spec, ManagedRuntime? runtime = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new EffectiveSpec(
            spec.Image ?? runtime?.Image ?? "",
            spec.Command is { Count: > 0 } command ? command : runtime?.Command ?? FunctionDefaults.Command,
            spec.Args ?? (spec.Handler is { Length: > 0 } handler ? [handler] : []),
            spec.Handler,
            spec.MemoryMB ?? FunctionDefaults.MemoryMB,
            spec.TimeoutSeconds ?? FunctionDefaults.TimeoutSeconds,
            spec.Concurrency?.Reserved,
            spec.Concurrency?.Provisioned ?? 0,
            spec.Scaling?.IdleSeconds ?? FunctionDefaults.IdleSeconds,
            spec.EphemeralStorage?.Size ?? FunctionDefaults.EphemeralStorageMB);
    }
}
