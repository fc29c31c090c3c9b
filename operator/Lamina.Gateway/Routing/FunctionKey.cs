namespace Lamina.Gateway.Routing;

/// <summary>A function in the cluster: namespace and Kubernetes name.</summary>
internal readonly record struct FunctionKey(string Namespace, string Name)
{
    public override string ToString() => $"{Namespace}.{Name}";
}
