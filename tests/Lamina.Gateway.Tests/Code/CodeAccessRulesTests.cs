using Lamina.Contracts.Code;
using Lamina.Gateway.Code;
using Lamina.Testing;
using static Lamina.Gateway.Tests.Code.CodePods;

namespace Lamina.Gateway.Tests.Code;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class CodeAccessRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 8, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void CheckToken_PodBoundServiceAccountOfThePathsNamespace_NoRefusal()
    {
        Assert.Null(CodeAccessRules.CheckToken(Token(), Namespace));
    }

    [Fact]
    public void CheckToken_AnotherNamespacesServiceAccount_Forbidden()
    {
        var decision = CodeAccessRules.CheckToken(Token(@namespace: "team-b"), Namespace);
        Assert.Equal(CodeFetchOutcome.Forbidden, decision?.Outcome);
        Assert.Contains("team-b", decision?.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("system:serviceaccount:team-a")]
    [InlineData("system:serviceaccount::orders")]
    [InlineData("system:serviceaccount:team-a:orders:extra")]
    [InlineData("system:node:worker-1")]
    public void CheckToken_NotAServiceAccount_Forbidden(string username)
    {
        Assert.Equal(CodeFetchOutcome.Forbidden, CodeAccessRules.CheckToken(new ReviewedToken(username, PodName, PodUid), Namespace)?.Outcome);
    }

    [Theory]
    [InlineData(null, PodUid)]
    [InlineData(PodName, null)]
    [InlineData(null, null)]
    public void CheckToken_NotBoundToAPod_Forbidden(string? podName, string? podUid)
    {
        var decision = CodeAccessRules.CheckToken(Token(podName: podName, podUid: podUid), Namespace);
        Assert.Equal(CodeFetchOutcome.Forbidden, decision?.Outcome);
        Assert.Contains("not bound to a pod", decision?.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckPod_ItsOwnCodeAndLayer_Allowed()
    {
        Assert.True(CodeAccessRules.CheckPod(Token(), Namespace, Pod(), CodeHex, Now).Allowed);
        Assert.True(CodeAccessRules.CheckPod(Token(), Namespace, Pod(), LayerHex, Now).Allowed);
    }

    [Fact]
    public void CheckPod_ADigestThePodDoesNotName_Forbidden()
    {
        var decision = CodeAccessRules.CheckPod(Token(), Namespace, Pod(), new string('c', 64), Now);
        Assert.Equal(CodeFetchOutcome.Forbidden, decision.Outcome);
        Assert.Contains("does not name", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckPod_PodGone_Forbidden()
    {
        Assert.Equal(CodeFetchOutcome.Forbidden, CodeAccessRules.CheckPod(Token(), Namespace, null, CodeHex, Now).Outcome);
    }

    [Fact]
    public void CheckPod_SameNameAnotherUid_Forbidden()
    {
        var decision = CodeAccessRules.CheckPod(Token(), Namespace, Pod(p => p.Metadata.Uid = "another"), CodeHex, Now);
        Assert.Equal(CodeFetchOutcome.Forbidden, decision.Outcome);
        Assert.Contains("replaced", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckPod_PodInAnotherNamespace_Forbidden()
    {
        Assert.Equal(CodeFetchOutcome.Forbidden, CodeAccessRules.CheckPod(Token(), Namespace, Pod(p => p.Metadata.NamespaceProperty = "team-b"), CodeHex, Now).Outcome);
    }

    [Fact]
    public void CheckPod_RunsAsAnotherServiceAccount_Forbidden()
    {
        Assert.Equal(CodeFetchOutcome.Forbidden, CodeAccessRules.CheckPod(Token(), Namespace, Pod(p => p.Spec.ServiceAccountName = "other"), CodeHex, Now).Outcome);
    }

    [Fact]
    public void CheckPod_TerminatingPastItsGracePeriod_Forbidden()
    {
        var decision = CodeAccessRules.CheckPod(Token(), Namespace, Pod(p => p.Metadata.DeletionTimestamp = Now.AddSeconds(-1).UtcDateTime), CodeHex, Now);
        Assert.Equal(CodeFetchOutcome.Forbidden, decision.Outcome);
        Assert.Contains("terminating", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckPod_TerminatingWithinItsGracePeriod_Allowed()
    {
        Assert.True(CodeAccessRules.CheckPod(Token(), Namespace, Pod(p => p.Metadata.DeletionTimestamp = Now.AddSeconds(20).UtcDateTime), CodeHex, Now).Allowed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CheckPod_NoFunctionLabel_Forbidden(bool emptyValue)
    {
        var pod = Pod(p => p.Metadata.Labels = emptyValue ? new Dictionary<string, string> { [CodeAccessRules.FunctionLabel] = "" } : null);
        var decision = CodeAccessRules.CheckPod(Token(), Namespace, pod, CodeHex, Now);
        Assert.Equal(CodeFetchOutcome.Forbidden, decision.Outcome);
        Assert.Contains("not a function pod", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void NamesDigest_InAnotherContainersArgs_NotNamed()
    {
        var other = new string('d', 64);
        var pod = Pod(p =>
        {
            p.Spec.Containers[0].Args = FetchArgs($"sha256:{other}:1");
            p.Spec.InitContainers.Add(new k8s.Models.V1Container { Name = "helper", Args = FetchArgs($"sha256:{other}:1") });
        });
        Assert.False(CodeAccessRules.NamesDigest(pod, other));
    }

    [Fact]
    public void NamesDigest_FetchCodeAsARegularContainer_NotNamed()
    {
        var pod = Pod(p =>
        {
            p.Spec.Containers.Add(p.Spec.InitContainers[0]);
            p.Spec.InitContainers.Clear();
        });
        Assert.False(CodeAccessRules.NamesDigest(pod, CodeHex));
    }

    [Fact]
    public void NamesDigest_RequestedIsAPrefixOfANamedValue_NotNamed()
    {
        // The named value has the requested hex followed by more characters.
        var pod = Pod(p => p.Spec.InitContainers[0].Args = FetchArgs($"sha256:{CodeHex}0:1234"));
        Assert.False(CodeAccessRules.NamesDigest(pod, CodeHex));
    }

    [Theory]
    [InlineData(CodeFetchContract.NamespaceOption)]
    [InlineData(CodeFetchContract.TaskOption)]
    [InlineData(CodeFetchContract.CodeFileOption)]
    [InlineData("--codex")]
    public void NamesDigest_AfterAnotherOption_NotNamed(string option)
    {
        var pod = Pod(p => p.Spec.InitContainers[0].Args = [CodeFetchContract.Command, option, $"sha256:{CodeHex}:1"]);
        Assert.False(CodeAccessRules.NamesDigest(pod, CodeHex));
    }

    [Theory]
    [InlineData("--code=sha256:{0}:1")]
    [InlineData("sha256:{0}:1")]
    public void NamesDigest_NotAsAnOptionsSeparateValue_NotNamed(string arg)
    {
        var pod = Pod(p => p.Spec.InitContainers[0].Args = [CodeFetchContract.Command, string.Format(System.Globalization.CultureInfo.InvariantCulture, arg, CodeHex)]);
        Assert.False(CodeAccessRules.NamesDigest(pod, CodeHex));
    }

    [Fact]
    public void NamesDigest_OptionIsTheLastArgument_NotNamed()
    {
        var pod = Pod(p => p.Spec.InitContainers[0].Args = [CodeFetchContract.Command, CodeFetchContract.CodeOption]);
        Assert.False(CodeAccessRules.NamesDigest(pod, CodeHex));
    }

    [Theory]
    [InlineData("sha256:{0}:1234", true)]
    [InlineData("sha256:{0}:0", true)]
    [InlineData("sha256:{0}", false)]
    [InlineData("sha256:{0}:", false)]
    [InlineData("sha256:{0}:-1", false)]
    [InlineData("sha256:{0}:12x", false)]
    [InlineData("sha512:{0}:1", false)]
    [InlineData("SHA256:{0}:1", false)]
    public void DigestOf_Shapes(string format, bool parsed)
    {
        var value = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, CodeHex);
        Assert.Equal(parsed ? CodeHex : null, CodeAccessRules.DigestOf(value));
    }

    [Fact]
    public void DigestOf_UppercaseOrShortHex_Null()
    {
        Assert.Null(CodeAccessRules.DigestOf($"sha256:{CodeHex.ToUpperInvariant()}:1"));
        Assert.Null(CodeAccessRules.DigestOf($"sha256:{CodeHex[..63]}:1"));
    }
}
