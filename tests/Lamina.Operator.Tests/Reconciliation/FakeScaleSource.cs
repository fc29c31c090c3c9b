using Lamina.Kubernetes.Informers;
using Lamina.Operator.Concurrency;

namespace Lamina.Operator.Tests.Reconciliation;

/// <summary>The concurrency controller's view as a test sets it: nothing (null) until <see cref="Set"/>.</summary>
internal sealed class FakeScaleSource : IScaleSource
{
    private readonly Dictionary<string, FunctionScale> _scales = new(StringComparer.Ordinal);

    public void Set(string ns, string name, FunctionScale? scale)
    {
        if (scale is null)
        {
            _scales.Remove(ObjectKey.Of(ns, name));
        }
        else
        {
            _scales[ObjectKey.Of(ns, name)] = scale;
        }
    }

    public FunctionScale? Get(string ns, string name) => _scales.GetValueOrDefault(ObjectKey.Of(ns, name));
}
