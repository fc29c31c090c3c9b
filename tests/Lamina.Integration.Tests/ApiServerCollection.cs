using Lamina.Testing;

namespace Lamina.Integration.Tests;

/// <summary>Tests in this collection share one etcd + kube-apiserver.</summary>
[CollectionDefinition(Name)]
public sealed class ApiServerCollection : ICollectionFixture<ApiServerFixture>
{
    public const string Name = "api-server";
}
