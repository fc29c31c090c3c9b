using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>A chatty invocation: the caller's log tail is Lambda's last 4 KB, ending with the REPORT line.</summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class LogVolumeTests
{
    private const int Printed = 100_000;

    [Theory]
    [MemberData(nameof(ConformanceRuntimes.NamesAndPaths), MemberType = typeof(ConformanceRuntimes))]
    public async Task Invoke_PrintsHundredKilobytes_TailIsTheLastFourKilobytesEndingWithReport(string runtime, InvokePath path)
    {
        await using var shim = await (await ConformanceRuntimes.GetAsync(runtime)).StartShimAsync();
        var payload = $$"""{"print":{{Printed}}}""";

        var reply = await shim.InvokeAsync(path, payload, "prints-a-lot");

        ShimInvocations.AssertSucceeded(reply, System.Text.Encoding.UTF8.GetBytes(payload), "prints-a-lot");
        var tail = reply.LogTailText;
        Assert.Equal(4096, reply.LogTail.Length);
        Assert.EndsWith("\n", tail, StringComparison.Ordinal);
        var end = tail.LastIndexOf($"END RequestId: {reply.RequestId}\nREPORT RequestId: {reply.RequestId}\t", StringComparison.Ordinal);
        Assert.True(end > 0, $"no END and REPORT lines at the end of the tail:\n{tail}");
        // Before them, only what the function printed last: lines of x.
        Assert.True(tail[..end].All(c => c is 'x' or '\n'), $"the tail holds more than the function's last output before END:\n{tail}");
        // And after them, nothing: the REPORT line is the tail's last.
        Assert.Equal(["END", "REPORT", ""], tail[end..].Split('\n').Select(line => line.Split(' ')[0]));
    }
}
