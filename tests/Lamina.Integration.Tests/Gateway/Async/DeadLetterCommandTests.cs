using Lamina.Gateway.Async;
using Lamina.Gateway.Functions;
using Lamina.Gateway.Routing;
using Lamina.Testing;
using Xunit.Abstractions;

namespace Lamina.Integration.Tests.Gateway.Async;

/// <summary>
/// <c>lamina-gateway dead-letter list|show|redrive</c> against a real redis-server, on events the
/// workers dead-lettered: a redriven event runs again with the same request id and a fresh budget.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class DeadLetterCommandTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly FunctionKey Orders = new("team-a", "orders");

    private readonly StaticFunctionCatalog _catalog = new StaticFunctionCatalog().Add("team-a", "orders", FunctionAsyncSettings.Default with { MaximumRetryAttempts = 0 });
    private readonly ScriptedRouter _router = new() { Behaviour = ScriptedRouter.Fail };
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task RunAsync_ListAndShow_TheDeadLetteredEventAndItsRecord()
    {
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);
        var requestId = await gateway.EnqueueAsync(Orders, """{"order":17}""");
        var id = await DeadLetteredAsync(gateway, 1);

        var (listed, list) = await RunAsync("list", "team-a/orders");
        var (shown, show) = await RunAsync("show", "team-a/orders", id);

        Assert.Equal(0, listed);
        Assert.Contains("1 dead-lettered events of team-a/orders", list, StringComparison.Ordinal);
        Assert.Contains(id, list, StringComparison.Ordinal);
        Assert.Contains(requestId, list, StringComparison.Ordinal);
        Assert.Contains("RetriesExhausted", list, StringComparison.Ordinal);
        Assert.Equal(0, shown);
        Assert.Contains($"request id:      {requestId}", show, StringComparison.Ordinal);
        Assert.Contains("\"order\": 17", show, StringComparison.Ordinal);
        Assert.Contains("\"condition\": \"RetriesExhausted\"", show, StringComparison.Ordinal);
        Assert.Contains("\"functionError\": \"Unhandled\"", show, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_RedriveOne_RunsAgainWithTheSameRequestIdAndLeavesTheDeadLetterStream()
    {
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);
        var requestId = await gateway.EnqueueAsync(Orders);
        var id = await DeadLetteredAsync(gateway, 1);
        _router.Behaviour = ScriptedRouter.Succeed;

        var (status, text) = await RunAsync("redrive", "team-a/orders", id);

        Assert.Equal(0, status);
        Assert.Contains($"redriven {id}", text, StringComparison.Ordinal);
        await Eventually.HoldsAsync(() => _router.Calls.Count == 2, Deadline, "the redriven event runs again");
        Assert.Equal(requestId, _router.Calls[1].Request.RequestId);
        var deadLetters = await gateway.DeadLettersAsync();
        Assert.Equal(0, await deadLetters.CountAsync(Orders));
        var (again, _) = await RunAsync("redrive", "team-a/orders", id);
        Assert.Equal(1, again);
    }

    [Fact]
    public async Task RunAsync_RedriveAll_EveryEventRunsAgainWithAFreshBudget()
    {
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);
        var requestIds = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            requestIds.Add(await gateway.EnqueueAsync(Orders));
        }

        await DeadLetteredAsync(gateway, 3);

        var (status, text) = await RunAsync("redrive", "team-a/orders", "--all");

        Assert.Equal(0, status);
        Assert.Contains("redriven 3 events of team-a/orders", text, StringComparison.Ordinal);
        // Still failing: each runs once more (a fresh budget of 1 + 0 retries) and is dead-lettered again.
        var deadLetters = await gateway.DeadLettersAsync();
        await Eventually.HoldsAsync(async () => _router.Calls.Count == 6 && await deadLetters.CountAsync(Orders) == 3, Deadline, "every redriven event runs and fails again");
        Assert.Equal(requestIds.Order(StringComparer.Ordinal), _router.Calls.Skip(3).Select(c => c.Request.RequestId).Order(StringComparer.Ordinal));
        Assert.All(await deadLetters.ListAsync(Orders, 10), entry => Assert.Equal(1, entry.Event?.Attempt));
    }

    [Theory]
    [InlineData("list")]
    [InlineData("list", "orders")]
    [InlineData("show", "team-a/orders")]
    [InlineData("redrive", "team-a/orders")]
    [InlineData("purge", "team-a/orders")]
    [InlineData("list", "team-a/orders", "--bogus")]
    public async Task RunAsync_BadArguments_UsageAndExit2(params string[] args)
    {
        var (status, text) = await RunAsync(args);

        Assert.Equal(2, status);
        Assert.Contains("usage: lamina-gateway dead-letter", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ShowUnknownId_Exit1()
    {
        var (status, text) = await RunAsync("show", "team-a/orders", "1-0");

        Assert.Equal(1, status);
        Assert.Contains("no dead-letter entry 1-0", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NoSigningKey_ListAndShowWorkUncheckedRedriveRefusedWithExit2()
    {
        await using var gateway = await AsyncHarness.StartAsync(_redis, _catalog, _router, output);
        var requestId = await gateway.EnqueueAsync(Orders);
        var id = await DeadLetteredAsync(gateway, 1);

        var (listed, list) = await RunAsync(NoKey, "list", "team-a/orders");
        var (shown, show) = await RunAsync(NoKey, "show", "team-a/orders", id);
        var (redriven, redrive) = await RunAsync(NoKey, "redrive", "team-a/orders", id);

        Assert.Equal(0, listed);
        Assert.Contains(requestId, list, StringComparison.Ordinal);
        Assert.Equal(0, shown);
        Assert.Contains($"signature:       not checked (no event signing key: set {DeadLetterCommand.SigningKeyVariable})", show, StringComparison.Ordinal);
        Assert.Equal(2, redriven);
        Assert.Contains("no event signing key", redrive, StringComparison.Ordinal);
        var deadLetters = await gateway.DeadLettersAsync();
        Assert.Equal(1, await deadLetters.CountAsync(Orders));
    }

    /// <summary>Waits until the dead-letter stream holds <paramref name="count"/> entries; the first one's id.</summary>
    private static async Task<string> DeadLetteredAsync(AsyncHarness gateway, int count)
    {
        var deadLetters = await gateway.DeadLettersAsync();
        await Eventually.HoldsAsync(async () => await deadLetters.CountAsync(Orders) == count, Deadline, $"{count} events are dead-lettered");
        return (await deadLetters.ListAsync(Orders, 1))[0].Id;
    }

    /// <summary>A shell without the gateways' variables: no signing key.</summary>
    private static string? NoKey(string name) => null;

    private Task<(int Status, string Text)> RunAsync(params string[] args) => RunAsync(AsyncHarness.Environment, args);

    private async Task<(int Status, string Text)> RunAsync(Func<string, string?> environment, params string[] args)
    {
        using var text = new StringWriter();
        var status = await DeadLetterCommand.RunAsync([.. args, "--redis", _redis.ConnectionString], text, text, TimeProvider.System, environment);
        output.WriteLine(text.ToString());
        return (status, text.ToString());
    }
}
