using Lamina.Testing;

namespace Lamina.Bench;

/// <summary>The integration tests' API-server fixture, owned by a benchmark for its duration.</summary>
internal sealed class ApiServerFixtureScope : IAsyncDisposable
{
    public ApiServerFixture Fixture { get; } = new();

    public Task StartAsync() => Fixture.InitializeAsync();

    public async ValueTask DisposeAsync() => await Fixture.DisposeAsync();
}
