namespace Lamina.Operator.Reconciliation;

/// <summary>Reads objects from a cache (an informer's store in the operator, a fake in tests).</summary>
internal interface IObjectLister<out T>
    where T : class
{
    /// <summary>The object, or null when it does not exist.</summary>
    T? Get(string? ns, string name);

    /// <summary>Every object in every namespace, in no particular order (a snapshot).</summary>
    IReadOnlyList<T> List();
}
