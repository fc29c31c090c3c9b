using k8s.Models;
using Lamina.Contracts.Code;
using Lamina.Gateway.Code;

namespace Lamina.Gateway.Tests.Code;

/// <summary>Function pods and reviewed tokens as the operator and the API server make them, for the code endpoint's tests.</summary>
internal static class CodePods
{
    public const string Namespace = "team-a";
    public const string PodName = "orders-7d9f-abcde";
    public const string PodUid = "0b4a6c1e-1111-4222-8333-944445555666";
    public const string Account = "orders";

    public static readonly string CodeHex = new('a', 64);
    public static readonly string LayerHex = new('b', 64);

    public static ReviewedToken Token(string @namespace = Namespace, string? podName = PodName, string? podUid = PodUid, string account = Account) =>
        new($"system:serviceaccount:{@namespace}:{account}", podName, podUid);

    /// <summary>A function pod whose fetch step names <see cref="CodeHex"/> and <see cref="LayerHex"/>, as the operator writes it.</summary>
    public static V1Pod Pod(Action<V1Pod>? change = null)
    {
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = PodName,
                NamespaceProperty = Namespace,
                Uid = PodUid,
                Labels = new Dictionary<string, string> { [CodeAccessRules.FunctionLabel] = "orders", ["app.kubernetes.io/managed-by"] = "lamina" },
            },
            Spec = new V1PodSpec
            {
                ServiceAccountName = Account,
                InitContainers =
                [
                    new V1Container
                    {
                        Name = CodeAccessRules.FetchContainer,
                        Image = "lamina/runtime-shim",
                        Args = FetchArgs($"sha256:{CodeHex}:1234", $"sha256:{LayerHex}:99"),
                    },
                ],
                Containers = [new V1Container { Name = "function", Image = "lamina/nodejs22.x" }],
            },
        };
        change?.Invoke(pod);
        return pod;
    }

    public static List<string> FetchArgs(string code, params string[] layers)
    {
        List<string> args = [CodeFetchContract.Command, CodeFetchContract.StoreOption, "http://lamina-gateway.lamina-system.svc:8085", CodeFetchContract.NamespaceOption, Namespace, CodeFetchContract.CodeOption, code];
        foreach (var layer in layers)
        {
            args.AddRange([CodeFetchContract.LayerOption, layer]);
        }

        args.AddRange([CodeFetchContract.TokenFileOption, CodeFetchContract.TokenPath]);
        return args;
    }
}
