using System.Net.Sockets;
using System.Text;
using Lamina.Gateway.Async;
using Lamina.Gateway.Routing;
using Lamina.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Lamina.Integration.Tests.Gateway.Async;

/// <summary>
/// A Redis with a password, as the chart runs it (<c>requirepass</c>): the gateway with the password
/// stores and runs events; without it, or with a wrong one, it fails closed; a client without the
/// password reads nothing; and the password never appears in a log line, an exception or a command's output.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class RedisAuthTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Password = "s3cret-Redis-password-0123456789";
    private const string WrongPassword = "wrong-Redis-password-9876543210";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly FunctionKey Orders = new("team-a", "orders");

    private readonly StaticFunctionCatalog _catalog = new StaticFunctionCatalog().Add(Orders.Namespace, Orders.Name);
    private readonly ScriptedRouter _router = new();
    private readonly RecordingOutput _output = new(output);
    private RedisServer _redis = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        await using var admin = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString + ",allowAdmin=true");
        await admin.GetServers()[0].ConfigSetAsync("requirepass", Password);
    }

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task Gateway_WithThePassword_StoresAndRunsEvents()
    {
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, _output, configure: o => o.Redis = WithPassword(Password));

        var requestId = await gateway.EnqueueAsync(Orders);

        await Eventually.HoldsAsync(() => _router.Calls.Any(c => c.Request.RequestId == requestId), Deadline, "the event runs");
        Assert.DoesNotContain(Password, _output.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Gateway_NoOrWrongPassword_FailsClosedAndNeverLogsThePassword(bool wrong)
    {
        var connectionString = wrong ? WithPassword(WrongPassword) : _redis.ConnectionString;
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, _output, configure: o => o.Redis = connectionString);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => gateway.EnqueueAsync(Orders));

        Assert.False(gateway.Queue.Connected);
        Assert.DoesNotContain(WrongPassword, failure.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, _output.Text, StringComparison.Ordinal);
        Assert.Equal(0, await StreamLengthAsync());
    }

    [Fact]
    public async Task Redis_ClientWithoutThePassword_CannotReadTheStreams()
    {
        await using (var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, _output, workers: false, configure: o => o.Redis = WithPassword(Password)))
        {
            await gateway.EnqueueAsync(Orders, """{"card":"4111"}""");
        }

        // What any pod that reaches Redis could send.
        var reply = await RawAsync($"XRANGE {AsyncKeys.Events(Orders)} - +\r\n");

        Assert.StartsWith("-NOAUTH", reply, StringComparison.Ordinal);
        Assert.DoesNotContain("4111", reply, StringComparison.Ordinal);
        Assert.Equal(1, await StreamLengthAsync());
    }

    [Fact]
    public async Task DeadLetterCommand_WrongPassword_Exit1WithoutThePassword()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var status = await DeadLetterCommand.RunAsync(["list", "team-a/orders", "--redis", WithPassword(WrongPassword)], stdout, stderr, TimeProvider.System, AsyncHarness.Environment);

        output.WriteLine(stderr.ToString());
        Assert.Equal(1, status);
        Assert.DoesNotContain(WrongPassword, stdout + stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeadLetterCommand_MalformedStringWithAPassword_Exit2WithoutThePassword()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var status = await DeadLetterCommand.RunAsync(["list", "team-a/orders", "--redis", WithPassword(WrongPassword) + ",nosuchoption=1"], stdout, stderr, TimeProvider.System, AsyncHarness.Environment);

        Assert.Equal(2, status);
        Assert.Contains("nosuchoption", stderr.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(WrongPassword, stdout + stderr.ToString(), StringComparison.Ordinal);
    }

    private string WithPassword(string password) => $"{_redis.ConnectionString},password={password}";

    private async Task<long> StreamLengthAsync()
    {
        await using var client = await ConnectionMultiplexer.ConnectAsync(WithPassword(Password));
        return await client.GetDatabase().StreamLengthAsync(AsyncKeys.Events(Orders));
    }

    private async Task<string> RawAsync(string command)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _redis.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command));
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer);
        return Encoding.ASCII.GetString(buffer, 0, read);
    }
}
