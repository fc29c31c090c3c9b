using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Lamina.Testing;

namespace Lamina.Integration.Tests;

[Collection(ApiServerCollection.Name)]
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class ApiServerFixtureTests(ApiServerFixture shared)
{
    [Fact]
    public async Task SecondFixture_RunningAlongside_HasItsOwnPortsAndData()
    {
        var second = new ApiServerFixture();
        await second.InitializeAsync();
        int secondPort;
        try
        {
            secondPort = second.Endpoint.Port;
            Assert.NotEqual(shared.Endpoint, second.Endpoint);

            using var sharedClient = shared.CreateHttpClient();
            using var secondClient = second.CreateHttpClient();
            var name = $"only-in-second-{Guid.NewGuid():N}"[..30];
            using var created = await secondClient.PostAsJsonAsync("/api/v1/namespaces", new { metadata = new { name } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

            using var inShared = await sharedClient.GetAsync($"/api/v1/namespaces/{name}");
            Assert.Equal(HttpStatusCode.NotFound, inShared.StatusCode);
        }
        finally
        {
            await second.DisposeAsync();
        }

        Assert.False(IsListening(secondPort), $"port {secondPort} still accepts connections after DisposeAsync");
    }

    [Fact]
    public async Task Client_WrongToken_Unauthorized()
    {
        using var client = shared.CreateHttpClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", "not-the-token");

        using var response = await client.GetAsync("/api/v1/namespaces");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static bool IsListening(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
