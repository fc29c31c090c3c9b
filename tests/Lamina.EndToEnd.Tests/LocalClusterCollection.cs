using Lamina.Testing;

namespace Lamina.EndToEnd.Tests;

/// <summary>Tests in this collection run against the cluster from <c>make cluster-up</c>.</summary>
[CollectionDefinition(Name)]
public sealed class LocalClusterCollection : ICollectionFixture<LocalCluster>
{
    public const string Name = "local-cluster";
}
