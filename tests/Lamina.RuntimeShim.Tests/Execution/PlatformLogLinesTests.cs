using System.Text;
using Lamina.RuntimeShim.Execution;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Execution;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class PlatformLogLinesTests
{
    [Fact]
    public void EndAndReport_InitFailure_NoDurationNoMemoryUsedTheInitDurationAndTheErrorType()
    {
        var lines = PlatformLogLines.EndAndReport("r1", TimeSpan.Zero, 128, peakMemoryBytes: 0, TimeSpan.FromMilliseconds(12.345), "Runtime.ExitError");

        Assert.Equal(
            "END RequestId: r1\nREPORT RequestId: r1\tDuration: 0.00 ms\tBilled Duration: 0 ms\tMemory Size: 128 MB\tMax Memory Used: 0 MB\tInit Duration: 12.35 ms\tStatus: error\tError Type: Runtime.ExitError\n",
            Encoding.UTF8.GetString(lines));
    }

    [Fact]
    public void EndAndReport_WarmSuccessPeakUnknown_BilledRoundedUpAndNothingElse()
    {
        var lines = PlatformLogLines.EndAndReport("r2", TimeSpan.FromMilliseconds(40.2), 256, peakMemoryBytes: null, initDuration: null, errorType: null);

        Assert.Equal(
            "END RequestId: r2\nREPORT RequestId: r2\tDuration: 40.20 ms\tBilled Duration: 41 ms\tMemory Size: 256 MB\n",
            Encoding.UTF8.GetString(lines));
    }

    [Fact]
    public void TimedOut_AllowedTime_LambdasLineStampedWithTheMoment()
    {
        var line = PlatformLogLines.TimedOut(new DateTimeOffset(2026, 12, 7, 23, 1, 2, 345, TimeSpan.Zero), "r3", TimeSpan.FromSeconds(3));

        Assert.Equal("2026-12-07T23:01:02.345Z r3 Task timed out after 3.00 seconds\n", Encoding.UTF8.GetString(line));
    }

    [Fact]
    public void Error_RuntimeExit_MessageThenType()
    {
        var line = PlatformLogLines.Error(PlatformErrors.RuntimeExited("r4", "exit status 2"));

        Assert.Equal("RequestId: r4 Error: Runtime exited with error: exit status 2\nRuntime.ExitError\n", Encoding.UTF8.GetString(line));
    }
}
