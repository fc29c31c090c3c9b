using System.Text.RegularExpressions;
using Lamina.Operator.Reconciliation;
using Lamina.Testing;

namespace Lamina.Operator.Tests.Reconciliation;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed partial class NamesTests
{
    [Fact]
    public void Deployment_ShortName_NameWithSuffix() =>
        Assert.Equal("hello-fn", Names.Deployment(Functions.Valid("hello")));

    [Theory]
    [InlineData(60)]
    [InlineData(61)]
    [InlineData(63)]
    public void Child_TooLongForALabel_CutToValidUniqueLabel(int length)
    {
        var parent = new string('a', length - 2) + "-b";
        var other = new string('a', length - 2) + "-c";

        var name = Names.Child(parent, "-fn");

        Assert.True(name.Length <= Names.MaxLabelLength, $"{name} is {name.Length} characters");
        Assert.Matches(DnsLabel(), name);
        Assert.NotEqual(name, Names.Child(other, "-fn"));
        Assert.EndsWith("-fn", name, StringComparison.Ordinal);
    }

    [Fact]
    public void Child_ExactlyAtLimit_Unchanged() =>
        Assert.Equal(new string('a', 60) + "-fn", Names.Child(new string('a', 60), "-fn"));

    [Fact]
    public void Selector_IsSubsetOfLabels()
    {
        var function = Functions.Valid();

        var labels = Names.Labels(function);

        Assert.All(Names.Selector(function), pair => Assert.Equal(pair.Value, labels[pair.Key]));
    }

    [Fact]
    public void QualifiedName_NamespaceDotName() =>
        Assert.Equal("team-a.hello", Names.QualifiedName(Functions.Valid()));

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
