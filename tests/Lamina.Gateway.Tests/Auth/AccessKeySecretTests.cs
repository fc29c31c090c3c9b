using Lamina.Gateway.Auth;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Auth;

/// <summary>Reading an access key out of a Secret: a pure function of the Secret.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class AccessKeySecretTests
{
    private const string Home = "lamina-system";

    [Fact]
    public void Parse_NamespaceList_KeyGrantingThemDefaultingToTheFirst()
    {
        var parsed = AccessKeySecret.Parse(AccessKeySecrets.Create(Home, "k", namespaces: "team-b, team-a ,"), onlyNamespace: null);

        var key = Assert.IsType<AccessKey>(parsed.Key);
        Assert.Equal("AKIDTEAMA", key.AccessKeyId);
        Assert.Equal("s3cr3t-value", key.SecretAccessKey);
        Assert.Equal(["team-a", "team-b"], key.Namespaces!.Order());
        Assert.Equal("team-b", key.DefaultNamespace);
        Assert.Null(parsed.Problem);
    }

    [Fact]
    public void Parse_Star_EveryNamespaceDefaultingToDefault()
    {
        var key = AccessKeySecret.Parse(AccessKeySecrets.Create(Home, "k", namespaces: "*"), null).Key!;

        Assert.Null(key.Namespaces);
        Assert.Equal("default", key.DefaultNamespace);
        Assert.True(key.MayInvokeIn("anything"));
    }

    [Fact]
    public void Parse_StarWithDefaultNamespace_ThatDefault()
    {
        var key = AccessKeySecret.Parse(AccessKeySecrets.Create(Home, "k", namespaces: "*", defaultNamespace: "ops"), null).Key!;

        Assert.Equal("ops", key.DefaultNamespace);
    }

    [Fact]
    public void Parse_DefaultNamespaceAmongTheListed_ThatDefault()
    {
        var key = AccessKeySecret.Parse(AccessKeySecrets.Create(Home, "k", namespaces: "team-a,team-b", defaultNamespace: "team-b"), null).Key!;

        Assert.Equal("team-b", key.DefaultNamespace);
    }

    [Fact]
    public void Parse_ValuesWithTrailingNewlines_Trimmed()
    {
        var key = AccessKeySecret.Parse(AccessKeySecrets.Create(Home, "k", accessKeyId: "AKID\n", secretAccessKey: " s3cr3t\n", namespaces: "team-a\n"), null).Key!;

        Assert.Equal("AKID", key.AccessKeyId);
        Assert.Equal("s3cr3t", key.SecretAccessKey);
    }

    [Theory]
    [InlineData(AccessKeySecret.AccessKeyIdField)]
    [InlineData(AccessKeySecret.SecretAccessKeyField)]
    [InlineData(AccessKeySecret.NamespacesField)]
    public void Parse_FieldMissing_MalformedNamingTheField(string field)
    {
        var secret = AccessKeySecrets.Create(Home, "k");
        secret.Data!.Remove(field);

        var parsed = AccessKeySecret.Parse(secret, null);

        Assert.Null(parsed.Key);
        Assert.Equal($"'{field}' is missing", parsed.Problem);
    }

    [Theory]
    [InlineData("", null, null, "'accessKeyId' is missing")]
    [InlineData("  \n", null, null, "'accessKeyId' is empty")]
    [InlineData("AKID/X", null, null, "'accessKeyId' may not contain '/' or whitespace")]
    [InlineData("AKID X", null, null, "'accessKeyId' may not contain '/' or whitespace")]
    [InlineData(null, " , ,", null, "'namespaces' names no namespace")]
    [InlineData(null, "*,team-a", null, "'namespaces' combines '*' with namespace names")]
    [InlineData(null, "Team-A", null, "'namespaces' lists 'Team-A', which is not a namespace name")]
    [InlineData(null, "team_a", null, "'namespaces' lists 'team_a', which is not a namespace name")]
    [InlineData(null, "team-a", "team-b", "'defaultNamespace' 'team-b' is not one of its namespaces")]
    [InlineData(null, "*", "-bad", "'defaultNamespace' '-bad' is not a namespace name")]
    public void Parse_BadValue_MalformedSayingWhy(string? accessKeyId, string? namespaces, string? defaultNamespace, string problem)
    {
        var secret = AccessKeySecrets.Create(Home, "k", accessKeyId: accessKeyId ?? "AKIDTEAMA", namespaces: namespaces ?? "team-a", defaultNamespace: defaultNamespace);

        var parsed = AccessKeySecret.Parse(secret, null);

        Assert.Null(parsed.Key);
        Assert.Equal(problem, parsed.Problem);
    }


    [Fact]
    public void Parse_NoData_Malformed()
    {
        var secret = AccessKeySecrets.Create(Home, "k");
        secret.Data = null;

        Assert.Equal("'accessKeyId' is missing", AccessKeySecret.Parse(secret, null).Problem);
    }

    [Fact]
    public void Parse_OutsideTheGatewaysNamespaceGrantingItsOwn_Valid()
    {
        var key = AccessKeySecret.Parse(AccessKeySecrets.Create("team-a", "k", namespaces: "team-a"), onlyNamespace: "team-a").Key!;

        Assert.Equal(["team-a"], key.Namespaces!);
    }

    [Theory]
    [InlineData("team-b")]
    [InlineData("team-a,team-b")]
    [InlineData("*")]
    public void Parse_OutsideTheGatewaysNamespaceGrantingMore_Malformed(string namespaces)
    {
        var parsed = AccessKeySecret.Parse(AccessKeySecrets.Create("team-a", "k", namespaces: namespaces), onlyNamespace: "team-a");

        Assert.Null(parsed.Key);
        Assert.Equal("a key outside the gateway's namespace may grant only its own namespace, 'team-a'", parsed.Problem);
    }

    [Theory]
    [InlineData("default", true)]
    [InlineData("team-a1", true)]
    [InlineData("a", true)]
    [InlineData("", false)]
    [InlineData("-a", false)]
    [InlineData("a-", false)]
    [InlineData("A", false)]
    [InlineData("a.b", false)]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true)]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    public void IsNamespaceName_Candidate_Dns1123Label(string name, bool expected)
    {
        Assert.Equal(expected, AccessKeySecret.IsNamespaceName(name));
    }
}
