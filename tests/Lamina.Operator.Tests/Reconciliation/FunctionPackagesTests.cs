using System.Security.Cryptography;
using k8s.Models;
using Lamina.Operator.Api;
using Lamina.Operator.Reconciliation;
using Lamina.Testing;
using Lamina.Testing.Fakes;

namespace Lamina.Operator.Tests.Reconciliation;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class FunctionPackagesTests
{
    /// <summary>The smallest zip: an empty archive (its end-of-central-directory record alone).</summary>
    private static readonly byte[] EmptyZip = [(byte)'P', (byte)'K', 5, 6, .. new byte[18]];

    private readonly FakeKubernetesClient _client = new();

    [Fact]
    public void Resolve_ZipInTheStore_DigestRuntimeAndLayersInOrder()
    {
        var function = Functions.Zip(change: s => s.Layers =
        [
            new FunctionLayer { Sha256 = new string('b', 64), Size = 20 },
            new FunctionLayer { Sha256 = new string('a', 64), Size = 10 },
        ]);

        var (package, problem) = Resolve(function);

        Assert.Null(problem);
        Assert.Equal(("nodejs22.x", "docker.io/lamina/runtime-nodejs22:dev", new BlobDigest(Functions.ZipSha256, 1234), (ConfigMapKey?)null),
            (package!.RuntimeName, package.Runtime.Image, package.Code, package.ConfigMap));
        Assert.Equal([new BlobDigest(new string('b', 64), 20), new BlobDigest(new string('a', 64), 10)], package.Layers);
    }

    [Fact]
    public void Resolve_LabelledConfigMap_ItsZipHashed()
    {
        _client.Seed(CodeConfigMap(binary: new Dictionary<string, byte[]> { ["function.zip"] = EmptyZip }));

        var (package, problem) = Resolve(FromConfigMap());

        Assert.Null(problem);
        Assert.Equal(new BlobDigest(Convert.ToHexStringLower(SHA256.HashData(EmptyZip)), EmptyZip.Length), package!.Code);
        Assert.Equal(new ConfigMapKey("code", "function.zip"), package.ConfigMap);
    }

    [Fact]
    public void Resolve_ConfigMapChanged_NewDigest()
    {
        _client.Seed(CodeConfigMap(binary: new Dictionary<string, byte[]> { ["function.zip"] = EmptyZip }));
        var before = Resolve(FromConfigMap()).Package!.Code;
        _client.Mutate<V1ConfigMap>("team-a", "code", c => c.BinaryData!["function.zip"] = [.. EmptyZip, 0]);

        var after = Resolve(FromConfigMap()).Package!.Code;

        Assert.NotEqual(before.Sha256, after.Sha256);
        Assert.Equal(EmptyZip.Length + 1, after.Size);
    }

    public static TheoryData<string, V1ConfigMap?, string, string> Unusable => new()
    {
        {
            "missing",
            null,
            "CodeConfigMapNotFound",
            "spec.code.configMap: no ConfigMap code labelled lamina.dev/code=true in namespace team-a (the operator watches only labelled ones): " +
            "create it, or label it: kubectl label configmap code -n team-a lamina.dev/code=true"
        },
        {
            "not labelled",
            CodeConfigMap(binary: new Dictionary<string, byte[]> { ["function.zip"] = EmptyZip }, labelled: false),
            "CodeConfigMapNotFound",
            "spec.code.configMap: no ConfigMap code labelled lamina.dev/code=true in namespace team-a"
        },
        {
            "the key is text",
            CodeConfigMap(text: new Dictionary<string, string> { ["function.zip"] = "exports.handler = 1" }),
            "InvalidCode",
            "spec.code.configMap: key function.zip of ConfigMap code is text (data), not binary (binaryData)"
        },
        {
            "no such key",
            CodeConfigMap(binary: new Dictionary<string, byte[]> { ["other.zip"] = EmptyZip }),
            "InvalidCode",
            "spec.code.configMap: ConfigMap code has no binaryData key function.zip; its keys: other.zip"
        },
        {
            "not a zip",
            CodeConfigMap(binary: new Dictionary<string, byte[]> { ["function.zip"] = [0x1f, 0x8b, 8, 0] }),
            "InvalidCode",
            "spec.code.configMap: code/function.zip is not a zip"
        },
        {
            "over 1 MiB",
            CodeConfigMap(binary: new Dictionary<string, byte[]> { ["function.zip"] = [.. EmptyZip, .. new byte[1024 * 1024]] }),
            "CodeConfigMapTooLarge",
            "spec.code.configMap: the zip in code/function.zip is 1048598 bytes; a ConfigMap holds at most 1048576 (1 MiB)"
        },
    };

    [Theory]
    [MemberData(nameof(Unusable))]
    public void Resolve_UnusableConfigMap_ProblemSaysWhatToDo(string scenario, V1ConfigMap? configMap, string reason, string expected)
    {
        if (configMap is not null)
        {
            _client.Seed(configMap);
        }

        var (package, problem) = Resolve(FromConfigMap());

        Assert.Null(package);
        Assert.True(problem is not null && problem.Reason == reason && problem.Message.StartsWith(expected, StringComparison.Ordinal),
            $"{scenario}: expected {reason}: {expected}…, got {problem}");
    }

    [Fact]
    public void Resolve_NoCodeEndpoint_StoreZipRefusedConfigMapWithoutLayersRuns()
    {
        var noStore = Functions.CodeDefaults with { CodeEndpoint = null };
        _client.Seed(CodeConfigMap(binary: new Dictionary<string, byte[]> { ["function.zip"] = EmptyZip }));

        var (_, zipProblem) = FunctionPackages.Resolve(Functions.Zip(), noStore, new FakeLister<V1ConfigMap>(_client));
        var (layered, layersProblem) = FunctionPackages.Resolve(
            FromConfigMap(s => s.Layers = [new FunctionLayer { Sha256 = new string('a', 64), Size = 1 }]), noStore, new FakeLister<V1ConfigMap>(_client));
        var (package, problem) = FunctionPackages.Resolve(FromConfigMap(), noStore, new FakeLister<V1ConfigMap>(_client));

        Assert.Equal("CodeStoreNotConfigured", zipProblem!.Reason);
        Assert.StartsWith("spec.code.zip are fetched from the code store, and this installation names none", zipProblem.Message, StringComparison.Ordinal);
        Assert.Equal(("CodeStoreNotConfigured", (FunctionPackage?)null), (layersProblem!.Reason, layered));
        Assert.Null(problem);
        Assert.NotNull(package);
    }

    private (FunctionPackage? Package, SpecProblem? Problem) Resolve(Function function) =>
        FunctionPackages.Resolve(function, Functions.CodeDefaults, new FakeLister<V1ConfigMap>(_client));

    private static Function FromConfigMap(Action<FunctionSpec>? change = null) => Functions.Zip(change: s =>
    {
        s.Code = new FunctionCode { ConfigMap = new FunctionCodeConfigMap { Name = "code", Key = "function.zip" } };
        change?.Invoke(s);
    });

    private static V1ConfigMap CodeConfigMap(Dictionary<string, byte[]>? binary = null, Dictionary<string, string>? text = null, bool labelled = true) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "code",
            NamespaceProperty = "team-a",
            Labels = labelled ? new Dictionary<string, string> { ["lamina.dev/code"] = "true" } : null,
        },
        BinaryData = binary,
        Data = text,
    };
}
