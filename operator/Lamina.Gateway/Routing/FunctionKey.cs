using Lamina.Concurrency.V1;

namespace Lamina.Gateway.Routing;

/// <summary>A function in the cluster: namespace and Kubernetes name.</summary>
internal readonly record struct FunctionKey(string Namespace, string Name)
{
    /// <summary>The function a controller message names; empty parts when it names none.</summary>
    public static FunctionKey Of(FunctionRef? function) => new(function?.Namespace ?? "", function?.Name ?? "");

    /// <summary>The function as the controller's contract names it.</summary>
    public FunctionRef ToRef() => new() { Namespace = Namespace, Name = Name };

    public override string ToString() => $"{Namespace}.{Name}";
}
