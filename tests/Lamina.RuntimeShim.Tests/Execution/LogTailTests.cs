using System.Text;
using Lamina.RuntimeShim.Execution;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Execution;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class LogTailTests
{
    [Fact]
    public void Append_LessThanCapacity_KeepsEverything()
    {
        var tail = new LogTail();
        tail.Append("hello "u8);
        tail.Append("world"u8);
        Assert.Equal("hello world", Encoding.UTF8.GetString(tail.ToArray()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(5000)]
    public void Append_PastCapacity_KeepsTheLastFourKilobytes(int chunk)
    {
        var tail = new LogTail();
        var all = new StringBuilder();
        for (var i = 0; all.Length < 3 * LogTail.Capacity; i++)
        {
            var text = string.Concat(Enumerable.Repeat((char)('a' + (i % 26)), chunk));
            all.Append(text);
            tail.Append(Encoding.ASCII.GetBytes(text));
        }

        var expected = all.ToString()[^LogTail.Capacity..];
        Assert.Equal(expected, Encoding.ASCII.GetString(tail.ToArray()));
    }
}
