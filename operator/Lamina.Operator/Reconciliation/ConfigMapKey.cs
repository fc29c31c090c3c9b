namespace Lamina.Operator.Reconciliation;

/// <summary>A key of a ConfigMap in the function's namespace.</summary>
internal readonly record struct ConfigMapKey(string Name, string Key);
