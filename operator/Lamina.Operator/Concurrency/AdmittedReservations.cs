using Lamina.Kubernetes.Informers;

namespace Lamina.Operator.Concurrency;

/// <summary>
/// Which functions' reservations the cluster pool admits (<see cref="ReservationAdmission.Admit"/>): every
/// function is admitted except those in <paramref name="Refusals"/>.
/// </summary>
/// <param name="Refusals">Refused functions by key (<c>namespace/name</c>), each with why, for its Ready condition.</param>
/// <param name="UnreservedCapacity">The pool minus the admitted reservations: what the functions without a reservation share.</param>
internal sealed record AdmittedReservations(IReadOnlyDictionary<string, string> Refusals, int UnreservedCapacity)
{
    /// <summary>True unless the pool refused the function's reservation.</summary>
    public bool IsAdmitted(string? ns, string name) => !Refusals.ContainsKey(ObjectKey.Of(ns, name));

    /// <summary>Why the pool refused the function's reservation, or null when it is admitted.</summary>
    public string? RefusalOf(string? ns, string name) => Refusals.GetValueOrDefault(ObjectKey.Of(ns, name));
}
