using System.Net;
using k8s.Models;
using Lamina.Gateway.ConcurrencyClient;
using Lamina.Testing;
using Lamina.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Tests.ConcurrencyClient;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class LeaderDiscoveryTests
{
    private readonly FakeKubernetesClient _kubernetes = new();
    private readonly LeaderDiscovery _discovery;

    public LeaderDiscoveryTests()
    {
        _discovery = new LeaderDiscovery(
            _kubernetes,
            Options.Create(new ConcurrencyClientOptions { LeaseNamespace = "lamina-system" }),
            NullLogger<LeaderDiscovery>.Instance);
    }

    [Theory]
    [InlineData("lamina-operator-7d9f_5f3a@http://10.0.0.7:8082", "http://10.0.0.7:8082/")]
    [InlineData("lamina-operator-7d9f_5f3a@10.0.0.7:8082", "http://10.0.0.7:8082/")]
    [InlineData("pod_with@sign_1234@http://[fd00::7]:8082", "http://[fd00::7]:8082/")]
    public void AddressOf_HolderAnnouncingAnAddress_WhatFollowsTheLastAt(string holder, string expected)
    {
        Assert.Equal(new Uri(expected), LeaderDiscovery.AddressOf(holder));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("lamina-operator-7d9f_5f3a")]
    [InlineData("lamina-operator-7d9f_5f3a@")]
    [InlineData("lamina-operator-7d9f_5f3a@https://10.0.0.7:8082")]
    public void AddressOf_NoAddress_NoLeader(string? holder)
    {
        Assert.Null(LeaderDiscovery.AddressOf(holder));
    }

    [Fact]
    public async Task FindAsync_LeaseHeldByALeader_ItsAddress()
    {
        _kubernetes.Seed(Lease("lamina-operator-7d9f_5f3a@http://10.0.0.7:8082"));

        var address = await _discovery.FindAsync(CancellationToken.None);

        Assert.Equal(new Uri("http://10.0.0.7:8082"), address);
    }

    [Fact]
    public async Task FindAsync_LeaseReleased_NoLeader()
    {
        _kubernetes.Seed(Lease(""));

        Assert.Null(await _discovery.FindAsync(CancellationToken.None));
    }

    [Fact]
    public async Task FindAsync_NoLease_NoLeader()
    {
        Assert.Null(await _discovery.FindAsync(CancellationToken.None));
    }

    [Fact]
    public async Task FindAsync_ApiServerFails_NoLeader()
    {
        _kubernetes.Seed(Lease("lamina-operator-7d9f_5f3a@http://10.0.0.7:8082"));
        _kubernetes.FailNext(_ => true, FakeKubernetesClient.ApiError(HttpStatusCode.Forbidden, "Forbidden"));

        Assert.Null(await _discovery.FindAsync(CancellationToken.None));
    }

    internal static V1Lease Lease(string holder) => new()
    {
        ApiVersion = "coordination.k8s.io/v1",
        Kind = "Lease",
        Metadata = new V1ObjectMeta { Name = "lamina-operator", NamespaceProperty = "lamina-system" },
        Spec = new V1LeaseSpec { HolderIdentity = holder },
    };
}
