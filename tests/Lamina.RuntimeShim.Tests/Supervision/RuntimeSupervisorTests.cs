using Lamina.RuntimeShim.Supervision;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Supervision;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class RuntimeSupervisorTests
{
    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(2, 100)]
    [InlineData(3, 200)]
    [InlineData(4, 400)]
    [InlineData(5, 800)]
    [InlineData(6, 1600)]
    [InlineData(7, 3200)]
    [InlineData(8, 5000)]
    [InlineData(9, 5000)]
    [InlineData(20, 5000)]
    [InlineData(1000, 5000)]
    [InlineData(int.MaxValue, 5000)]
    public void Backoff_ConsecutiveFailures_ImmediateThenDoublingFrom100MillisecondsCappedAt5Seconds(int failures, int milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), RuntimeSupervisor.Backoff(failures));
    }
}
