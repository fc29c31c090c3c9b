using k8s.Models;
using Lamina.Contracts.Code;
using Lamina.Gateway.Code;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Code;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class KubernetesTokenReviewerTests
{
    [Fact]
    public void Read_AuthenticatedForOurAudience_TheUserAndItsPod()
    {
        var reviewed = KubernetesTokenReviewer.Read(Status());
        Assert.Equal(new ReviewedToken("system:serviceaccount:team-a:orders", CodePods.PodName, CodePods.PodUid), reviewed);
        Assert.Equal(("team-a", "orders"), reviewed?.ServiceAccount);
    }

    [Fact]
    public void Read_NotAuthenticated_Null()
    {
        Assert.Null(KubernetesTokenReviewer.Read(Status(s => s.Authenticated = false)));
        Assert.Null(KubernetesTokenReviewer.Read(Status(s => s.Authenticated = null)));
        Assert.Null(KubernetesTokenReviewer.Read(null));
    }

    [Fact]
    public void Read_AudiencesWithoutOurs_Null()
    {
        Assert.Null(KubernetesTokenReviewer.Read(Status(s => s.Audiences = ["https://kubernetes.default.svc"])));
        Assert.Null(KubernetesTokenReviewer.Read(Status(s => s.Audiences = null)));
    }

    [Fact]
    public void Read_PodExtrasMissingOrRepeated_NoPod()
    {
        var reviewed = KubernetesTokenReviewer.Read(Status(s => s.User.Extra = new Dictionary<string, IList<string>>
        {
            [ReviewedToken.PodNameExtra] = ["a", "b"],
        }));
        Assert.NotNull(reviewed);
        Assert.Null(reviewed.PodName);
        Assert.Null(reviewed.PodUid);
    }

    private static V1TokenReviewStatus Status(Action<V1TokenReviewStatus>? change = null)
    {
        var status = new V1TokenReviewStatus
        {
            Authenticated = true,
            Audiences = [CodeFetchContract.TokenAudience],
            User = new V1UserInfo
            {
                Username = "system:serviceaccount:team-a:orders",
                Extra = new Dictionary<string, IList<string>>
                {
                    [ReviewedToken.PodNameExtra] = [CodePods.PodName],
                    [ReviewedToken.PodUidExtra] = [CodePods.PodUid],
                },
            },
        };
        change?.Invoke(status);
        return status;
    }
}
