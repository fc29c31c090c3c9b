using Lamina.RuntimeShim.Code;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Code;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class UnpackBudgetTests
{
    [Fact]
    public void AddBytes_UpToTheLimit_Counted()
    {
        var budget = new UnpackBudget(new UnpackLimits { MaximumBytes = 100 });

        budget.AddBytes(60, "code sha256:x", "a");
        budget.AddBytes(40, "layer 1 sha256:y", "b");

        Assert.Equal(100, budget.Bytes);
    }

    [Fact]
    public void AddBytes_PastTheLimit_RefusedNamingWhereItStopped()
    {
        var budget = new UnpackBudget(new UnpackLimits { MaximumBytes = 100 });
        budget.AddBytes(60, "code sha256:x", "a");

        var failure = Assert.Throws<FetchFailure>(() => budget.AddBytes(41, "layer 1 sha256:y", "b.bin"));

        Assert.Equal("unzipped size exceeds 0 MB (100 bytes, Lambda's limit for the function and its layers together): stopped at layer 1 sha256:y entry 'b.bin'", failure.Message);
        Assert.Equal(60, budget.Bytes);
    }

    [Fact]
    public void AddBytes_RealLimit_Says250MB()
    {
        var budget = new UnpackBudget(UnpackLimits.Default);
        budget.AddBytes(262_144_000, "code sha256:x", "a");

        var failure = Assert.Throws<FetchFailure>(() => budget.AddBytes(1, "code sha256:x", "b"));

        Assert.StartsWith("unzipped size exceeds 250 MB (262144000 bytes", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddEntry_PastTheLimit_Refused()
    {
        var budget = new UnpackBudget(new UnpackLimits { MaximumEntries = 2 });
        budget.AddEntry("code");
        budget.AddEntry("code");

        var failure = Assert.Throws<FetchFailure>(() => budget.AddEntry("layer 1"));

        Assert.Equal("layer 1: more than 2 entries in the code and its layers together", failure.Message);
    }
}
