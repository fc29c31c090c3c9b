using System.Text;
using k8s.Models;
using Lamina.Gateway.ConcurrencyClient;
using Lamina.Testing;
using Lamina.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Tests.ConcurrencyClient;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class GatewayTokenRefresherTests
{
    private readonly FakeKubernetesClient _kubernetes = new();
    private readonly GatewayToken _token = new();
    private readonly GatewayTokenRefresher _refresher;

    public GatewayTokenRefresherTests()
    {
        _refresher = new GatewayTokenRefresher(
            _kubernetes,
            Options.Create(new ConcurrencyClientOptions { LeaseNamespace = "lamina-system" }),
            _token,
            TimeProvider.System,
            NullLogger<GatewayTokenRefresher>.Instance);
    }

    [Fact]
    public async Task RefreshAsync_SecretWithTwoLines_PresentsTheFirst()
    {
        _kubernetes.Seed(Secret("new-token\nold-token\n"));

        await _refresher.RefreshAsync(CancellationToken.None);

        Assert.Equal("new-token", _token.Current);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n  \n")]
    [InlineData(null)]
    public async Task RefreshAsync_SecretEmptiedAfterAGoodRead_KeepsTheTokenItHolds(string? emptied)
    {
        _kubernetes.Seed(Secret("good-token"));
        await _refresher.RefreshAsync(CancellationToken.None);

        _kubernetes.Seed(Secret(emptied));
        await _refresher.RefreshAsync(CancellationToken.None);

        Assert.Equal("good-token", _token.Current);
    }

    [Fact]
    public async Task RefreshAsync_SecretEmptyFromTheStart_NoToken()
    {
        _kubernetes.Seed(Secret(""));

        await _refresher.RefreshAsync(CancellationToken.None);

        Assert.Null(_token.Current);
    }

    private static V1Secret Secret(string? tokens) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Metadata = new V1ObjectMeta { Name = GatewayTokenRefresher.SecretName, NamespaceProperty = "lamina-system" },
        Data = tokens is null ? new Dictionary<string, byte[]>() : new Dictionary<string, byte[]> { [GatewayTokenRefresher.Key] = Encoding.UTF8.GetBytes(tokens) },
    };
}
