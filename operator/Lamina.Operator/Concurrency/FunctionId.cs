namespace Lamina.Operator.Concurrency;

/// <summary>A function in the cluster: its namespace and Kubernetes name.</summary>
internal readonly record struct FunctionId(string Namespace, string Name)
{
    public override string ToString() => $"{Namespace}.{Name}";
}
