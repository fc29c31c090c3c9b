using Lamina.Kubernetes.Informers;
using Lamina.Operator.Api;

namespace Lamina.Operator.Concurrency;

/// <summary>
/// The cluster pool's admission rule (Lambda's account concurrency): reservations are admitted oldest
/// Function first while at least <see cref="ConcurrencyOptions.UnreservedMinimum"/> of
/// <see cref="ConcurrencyOptions.PoolSize"/> stays unreserved. A pure function of the Functions, so
/// every reconcile and the concurrency controller reach the same answer from the same cache.
/// </summary>
internal static class ReservationAdmission
{
    /// <summary>Which reservations of <paramref name="functions"/> the pool admits, and the capacity left to the unreserved.</summary>
    public static AdmittedReservations Admit(IEnumerable<Function> functions, ConcurrencyOptions options)
    {
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(options);
        var reserving = new List<(Function Function, int Reserved)>();
        foreach (var function in functions)
        {
            // A Function being deleted gives its reservation back: it is reconciled no more.
            if (function.Metadata.DeletionTimestamp is null && function.Spec.Concurrency?.Reserved is { } reserved)
            {
                reserving.Add((function, reserved));
            }
        }

        // Oldest first, so a new reservation never takes capacity from one already running; the
        // key breaks ties (creationTimestamp has whole seconds), so every caller orders alike.
        reserving.Sort((a, b) =>
        {
            var age = Nullable.Compare(a.Function.Metadata.CreationTimestamp, b.Function.Metadata.CreationTimestamp);
            return age != 0 ? age : string.CompareOrdinal(ObjectKey.Of(a.Function), ObjectKey.Of(b.Function));
        });

        var reservable = options.PoolSize - options.UnreservedMinimum;
        var admitted = 0;
        var refusals = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (function, reserved) in reserving)
        {
            // Each reservation is judged against the older admitted ones only: a large refused one
            // does not hold back a smaller, newer one that fits (as Lambda judges each request).
            if (admitted + reserved <= reservable)
            {
                admitted += reserved;
                continue;
            }

            refusals[ObjectKey.Of(function)] = Refusal(reserved, admitted, options);
        }

        return new AdmittedReservations(refusals, options.PoolSize - admitted);
    }

    private static string Refusal(int reserved, int admitted, ConcurrencyOptions options)
    {
        var older = admitted > 0 ? $" ({admitted} reserved by older functions)" : "";
        var left = options.PoolSize - admitted - reserved;
        var what = left >= 0
            ? $"would leave {left} of the pool of {options.PoolSize} unreserved{older}"
            : $"exceeds the pool of {options.PoolSize}{older}";
        return $"reserved concurrency {reserved} {what}; at least {options.UnreservedMinimum} must stay unreserved";
    }
}
