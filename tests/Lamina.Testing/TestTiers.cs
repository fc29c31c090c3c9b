namespace Lamina.Testing;

/// <summary>
/// The trait every test class carries, <c>[Trait(TestTiers.Category, TestTiers.Unit)]</c>, so the
/// Makefile can run one tier at a time (<c>dotnet test --filter Category=Unit</c>).
/// </summary>
public static class TestTiers
{
    /// <summary>The trait name.</summary>
    public const string Category = "Category";

    /// <summary>In-process tests; no servers beyond loopback helpers the test starts itself.</summary>
    public const string Unit = "Unit";

    /// <summary>Against a real kube-apiserver from <see cref="ApiServerFixture"/>.</summary>
    public const string Integration = "Integration";

    /// <summary>Against the whole local cluster from <c>make cluster-up</c>.</summary>
    public const string EndToEnd = "EndToEnd";
}
