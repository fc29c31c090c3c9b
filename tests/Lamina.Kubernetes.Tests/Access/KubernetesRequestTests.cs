using Lamina.Kubernetes.Access;
using Lamina.Testing;

namespace Lamina.Kubernetes.Tests.Access;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class KubernetesRequestTests
{
    [Theory]
    [InlineData("GET", "/apis/lamina.dev/v1alpha1/functions?limit=500", "list", "lamina.dev", "functions")]
    [InlineData("GET", "/apis/lamina.dev/v1alpha1/functions?watch=true&resourceVersion=5", "watch", "lamina.dev", "functions")]
    [InlineData("GET", "/apis/lamina.dev/v1alpha1/namespaces/team-a/functions?watch=1", "watch", "lamina.dev", "functions")]
    [InlineData("PATCH", "/apis/lamina.dev/v1alpha1/namespaces/team-a/functions/hello/status?fieldManager=lamina", "patch", "lamina.dev", "functions/status")]
    [InlineData("PATCH", "/apis/apps/v1/namespaces/team-a/deployments/hello/scale", "patch", "apps", "deployments/scale")]
    [InlineData("DELETE", "/apis/apps/v1/namespaces/team-a/deployments/hello", "delete", "apps", "deployments")]
    [InlineData("DELETE", "/api/v1/namespaces/team-a/pods", "deletecollection", "", "pods")]
    [InlineData("GET", "/api/v1/namespaces/lamina-system/secrets/lamina-invoke-token", "get", "", "secrets")]
    [InlineData("POST", "/api/v1/namespaces/lamina-system/secrets", "create", "", "secrets")]
    [InlineData("PUT", "/apis/coordination.k8s.io/v1/namespaces/lamina-system/leases/lamina-operator", "update", "coordination.k8s.io", "leases")]
    [InlineData("GET", "/api/v1/pods?labelSelector=lamina.dev%2Ffunction", "list", "", "pods")]
    [InlineData("GET", "/api/v1/namespaces/team-a", "get", "", "namespaces")]
    [InlineData("PUT", "/api/v1/namespaces/team-a/finalize", "update", "", "namespaces/finalize")]
    [InlineData("GET", "/api/v1/namespaces", "list", "", "namespaces")]
    [InlineData("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/functions.lamina.dev", "get", "apiextensions.k8s.io", "customresourcedefinitions")]
    [InlineData("GET", "/version", "list", "", "unknown")]
    [InlineData("GET", "/apis", "list", "", "unknown")]
    public void Describe_ReadsTheVerbGroupAndResourceAsRbacNamesThem(string method, string path, string verb, string group, string resource)
    {
        var described = KubernetesRequest.Describe(new HttpMethod(method), new Uri("https://10.0.0.1:6443" + path));

        Assert.Equal(new KubernetesRequest(verb, group, resource), described);
    }
}
