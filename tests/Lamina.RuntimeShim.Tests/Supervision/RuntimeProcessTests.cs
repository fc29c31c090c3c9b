using Lamina.RuntimeShim.Supervision;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Supervision;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class RuntimeProcessTests
{
    [Theory]
    [InlineData(0, "exit status 0")]
    [InlineData(1, "exit status 1")]
    [InlineData(3, "exit status 3")]
    [InlineData(127, "exit status 127")]
    [InlineData(128, "exit status 128")]
    [InlineData(129, "signal: 1")]
    [InlineData(134, "signal: aborted")]
    [InlineData(137, "signal: killed")]
    [InlineData(139, "signal: segmentation fault")]
    [InlineData(143, "signal: terminated")]
    [InlineData(159, "signal: 31")]
    [InlineData(160, "exit status 160")]
    [InlineData(255, "exit status 255")]
    [InlineData(-1, "exit status -1")]
    public void Describe_ExitCode_LambdasWording(int exitCode, string expected)
    {
        Assert.Equal(expected, RuntimeProcess.Describe(exitCode));
    }
}
