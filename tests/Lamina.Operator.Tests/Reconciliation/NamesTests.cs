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

    [Fact]
    public void ProvisionedDeployment_ShortName_NameWithSuffix() =>
        Assert.Equal("hello-pc", Names.ProvisionedDeployment(Functions.Valid("hello")));

    [Theory]
    [InlineData(1)]
    [InlineData(60)]
    [InlineData(61)]
    [InlineData(63)]
    public void ProvisionedDeployment_AnyLength_ValidLabelApartFromTheOnDemandOne(int length)
    {
        var function = Functions.Valid(length == 1 ? "a" : new string('a', length - 2) + "-b");

        var name = Names.ProvisionedDeployment(function);

        Assert.True(name.Length <= Names.MaxLabelLength, $"{name} is {name.Length} characters");
        Assert.Matches(DnsLabel(), name);
        Assert.EndsWith("-pc", name, StringComparison.Ordinal);
        Assert.NotEqual(Names.Deployment(function), name);
        Assert.Equal(name, Names.Deployment(function, EnvironmentKind.Provisioned));
    }

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

    [Theory]
    [InlineData(false, "on-demand")]
    [InlineData(true, "provisioned-concurrency")]
    public void Selector_OfAKind_SubsetOfItsLabelsWithTheInitType(bool provisioned, string initType)
    {
        var function = Functions.Valid();
        var kind = provisioned ? EnvironmentKind.Provisioned : EnvironmentKind.OnDemand;

        var labels = Names.Labels(function, kind);
        var selector = Names.Selector(function, kind);

        Assert.All(selector, pair => Assert.Equal(pair.Value, labels[pair.Key]));
        Assert.Equal(initType, selector[Names.InitTypeLabel]);
        // The Service selects every pod of the function, of either kind.
        Assert.All(Names.Selector(function), pair => Assert.Equal(pair.Value, labels[pair.Key]));
    }

    [Fact]
    public void Selector_TwoKinds_NeverSelectEachOthersPods()
    {
        var function = Functions.Valid();

        Assert.NotEqual(
            Names.Selector(function, EnvironmentKind.OnDemand)[Names.InitTypeLabel],
            Names.Labels(function, EnvironmentKind.Provisioned)[Names.InitTypeLabel]);
        Assert.NotEqual(
            Names.Selector(function, EnvironmentKind.Provisioned)[Names.InitTypeLabel],
            Names.Labels(function, EnvironmentKind.OnDemand)[Names.InitTypeLabel]);
    }

    [Fact]
    public void QualifiedName_NamespaceDotName() =>
        Assert.Equal("team-a.hello", Names.QualifiedName(Functions.Valid()));

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
