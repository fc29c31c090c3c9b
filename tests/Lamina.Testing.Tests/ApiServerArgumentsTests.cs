namespace Lamina.Testing.Tests;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class ApiServerArgumentsTests
{
    private static readonly ApiServerLaunch Launch = new("/w", EtcdClientPort: 1001, EtcdPeerPort: 1002, ApiServerPort: 1003);

    [Fact]
    public void Etcd_BothPortsExplicit_NoDefaultPortLeftOpen()
    {
        var args = ApiServerArguments.Etcd(Launch);

        Assert.Contains("--listen-client-urls=http://127.0.0.1:1001", args);
        Assert.Contains("--listen-peer-urls=http://127.0.0.1:1002", args);
        Assert.DoesNotContain(args, a => a.Contains(":2379", StringComparison.Ordinal) || a.Contains(":2380", StringComparison.Ordinal));
    }

    [Fact]
    public void ApiServer_Launch_LoopbackOnlyWithInsecurePortClosed()
    {
        var args = ApiServerArguments.ApiServer(Launch);

        Assert.Contains("--etcd-servers=http://127.0.0.1:1001", args);
        Assert.Contains("--secure-port=1003", args);
        Assert.Contains("--bind-address=127.0.0.1", args);
        Assert.Contains("--insecure-port=0", args);
        Assert.Contains("--token-auth-file=/w/tokens.csv", args);
    }

    [Fact]
    public void ApiServer_Launch_IssuesAndReviewsServiceAccountTokens()
    {
        // TokenRequest and TokenReview (the gateway's code endpoint tests) need all three.
        var args = ApiServerArguments.ApiServer(Launch);

        Assert.Contains(args, a => a.StartsWith("--service-account-issuer=https://", StringComparison.Ordinal));
        Assert.Contains("--service-account-signing-key-file=/w/service-account.key", args);
        Assert.Contains(args, a => a.StartsWith("--api-audiences=", StringComparison.Ordinal));
    }

    [Fact]
    public void Endpoint_Launch_IsHttpsLoopback() =>
        Assert.Equal(new Uri("https://127.0.0.1:1003"), Launch.Endpoint);
}
