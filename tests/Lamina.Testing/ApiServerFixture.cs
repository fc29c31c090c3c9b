using Xunit;

namespace Lamina.Testing;

/// <summary>
/// <see cref="ApiServer"/> (testing/Lamina.TestHarness) as an xunit collection fixture: xunit
/// starts it before the collection's first test and disposes it after the last.
/// </summary>
public sealed class ApiServerFixture : ApiServer, IAsyncLifetime
{
}
