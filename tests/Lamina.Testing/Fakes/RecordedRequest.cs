namespace Lamina.Testing.Fakes;

/// <summary>One request a <see cref="FakeKubernetesClient"/> received.</summary>
/// <param name="Verb">get, list, watch, create, replace, apply, patch, delete.</param>
/// <param name="Kind">The resource's kind, e.g. Deployment.</param>
/// <param name="Namespace">The namespace, null for cluster-scoped or all-namespace requests.</param>
/// <param name="Name">The object's name (null for list and watch).</param>
/// <param name="Subresource">status or scale, when addressed.</param>
public sealed record RecordedRequest(string Verb, string Kind, string? Namespace, string? Name, string? Subresource = null)
{
    /// <summary>True for requests that change something.</summary>
    public bool IsWrite => Verb is not ("get" or "list" or "watch");

    /// <inheritdoc />
    public override string ToString() =>
        $"{Verb} {Kind} {Namespace}/{Name}{(Subresource is null ? "" : "/" + Subresource)}";
}
