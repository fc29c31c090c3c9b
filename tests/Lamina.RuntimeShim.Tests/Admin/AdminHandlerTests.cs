using Lamina.RuntimeShim.Admin;
using Lamina.RuntimeShim.Tests.Execution;
using Lamina.Testing;
using Microsoft.AspNetCore.Http;

namespace Lamina.RuntimeShim.Tests.Admin;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class AdminHandlerTests : IDisposable
{
    private readonly EnvironmentHarness _harness = new();
    private readonly AdminHandler _handler;

    public AdminHandlerTests() => _handler = new AdminHandler(_harness.Environment);

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task HandleAsync_ReadyzInitialising_503AtOnce()
    {
        _harness.StartRuntime();
        var context = Get("/readyz", "");

        await _handler.HandleAsync(context).Bounded();

        Assert.Equal(503, context.Response.StatusCode);
    }

    [Fact]
    public async Task HandleAsync_ReadyzWithWait_HeldUntilTheRuntimeInitialisesThen200()
    {
        _harness.StartRuntime();
        var context = Get("/readyz", "?wait=5000");

        var answering = _handler.HandleAsync(context);
        Assert.False(answering.IsCompleted);
        _ = _harness.Environment.NextAsync(CancellationToken.None);
        await answering.Bounded();

        Assert.Equal(200, context.Response.StatusCode);
    }

    [Fact]
    public async Task HandleAsync_ReadyzWithWaitNeverReady_503WhenTheWaitEnds()
    {
        _harness.StartRuntime();
        var context = Get("/readyz", "?wait=5000");

        var answering = _handler.HandleAsync(context);
        _harness.Time.Advance(TimeSpan.FromSeconds(5));
        await answering.Bounded();

        Assert.Equal(503, context.Response.StatusCode);
    }

    [Theory]
    [InlineData("?wait=")]
    [InlineData("?wait=-5")]
    [InlineData("?wait=soon")]
    public async Task HandleAsync_ReadyzWithAnInvalidWait_AnsweredAtOnce(string query)
    {
        _harness.StartRuntime();
        var context = Get("/readyz", query);

        await _handler.HandleAsync(context).Bounded();

        Assert.Equal(503, context.Response.StatusCode);
    }

    private static DefaultHttpContext Get(string path, string query)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query.Length > 0 ? query : null);
        context.Response.Body = new MemoryStream();
        return context;
    }
}
