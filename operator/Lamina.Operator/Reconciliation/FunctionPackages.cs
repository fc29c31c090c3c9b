using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using k8s.Models;
using Lamina.Operator.Api;

namespace Lamina.Operator.Reconciliation;

/// <summary>
/// Resolves a valid zip function's code for its pods (<see cref="FunctionPackage"/>): from the spec's
/// digest, or by reading the ConfigMap it names and hashing the zip there. What cannot be resolved is a
/// <see cref="SpecProblem"/> the user can act on. No client, no clock: the ConfigMap comes from a cache.
/// </summary>
internal static class FunctionPackages
{
    /// <summary>The label a code ConfigMap must carry: the operator watches only those ConfigMaps.</summary>
    public const string CodeLabel = "lamina.dev/code";

    /// <summary>The value of <see cref="CodeLabel"/>.</summary>
    public const string CodeLabelValue = "true";

    /// <summary>
    /// Hashes of ConfigMap zips by the cached byte array: a function's pods change often and each change
    /// reconciles it; the cache's array stays the same object until the ConfigMap changes, so a hash is
    /// computed once per version, and forgotten with it.
    /// </summary>
    private static readonly ConditionalWeakTable<byte[], string> Hashes = new();

    /// <summary>
    /// The package of <paramref name="function"/> (which passed <see cref="SpecValidator"/>, so its runtime
    /// exists), or the problem that stops it. <paramref name="configMaps"/> holds the labelled ConfigMaps.
    /// </summary>
    public static (FunctionPackage? Package, SpecProblem? Problem) Resolve(Function function, OperatorDefaults defaults, IObjectLister<V1ConfigMap> configMaps)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentNullException.ThrowIfNull(configMaps);
        var spec = function.Spec;
        if (spec.Code is null || spec.Runtime is not { } runtimeName || !defaults.Runtimes.TryGetValue(runtimeName, out var runtime))
        {
            throw new ArgumentException("only a valid zip function has a package", nameof(function));
        }

        var layers = (spec.Layers ?? []).Select(l => new BlobDigest(l.Sha256, l.Size ?? 0)).ToList();
        if (defaults.CodeEndpoint is not { Length: > 0 } && (spec.Code.Zip is not null || layers.Count > 0))
        {
            return (null, new SpecProblem(SpecProblem.CodeStoreNotConfigured,
                $"{(spec.Code.Zip is not null ? "spec.code.zip" : "spec.layers")} are fetched from the code store, and this installation names none " +
                "(the operator's Lamina:Operator:CodeEndpoint, which the chart sets): an administrator must set it; a ConfigMap without layers needs no store"));
        }

        if (spec.Code.Zip is { } zip)
        {
            return (new FunctionPackage(runtimeName, runtime, new BlobDigest(zip.Sha256, zip.Size ?? 0), null, layers), null);
        }

        var source = spec.Code.ConfigMap!;
        var ns = function.Metadata.NamespaceProperty;
        var configMap = configMaps.Get(ns, source.Name);
        if (configMap is null || configMap.Metadata.Labels?.TryGetValue(CodeLabel, out var label) != true || label != CodeLabelValue)
        {
            return (null, new SpecProblem(SpecProblem.CodeConfigMapNotFound,
                $"spec.code.configMap: no ConfigMap {source.Name} labelled {CodeLabel}={CodeLabelValue} in namespace {ns} (the operator watches only labelled ones): " +
                $"create it, or label it: kubectl label configmap {source.Name} -n {ns} {CodeLabel}={CodeLabelValue}"));
        }

        if (configMap.BinaryData?.TryGetValue(source.Key, out var bytes) != true || bytes is null)
        {
            var inData = configMap.Data?.ContainsKey(source.Key) == true;
            return (null, new SpecProblem(SpecProblem.InvalidCode, inData
                ? $"spec.code.configMap: key {source.Key} of ConfigMap {source.Name} is text (data), not binary (binaryData): a zip is binary; kubectl create configmap {source.Name} --from-file={source.Key}=function.zip puts it in binaryData"
                : $"spec.code.configMap: ConfigMap {source.Name} has no binaryData key {source.Key}; its keys: {KeysOf(configMap)}"));
        }

        if (bytes.Length > FunctionDefaults.MaxConfigMapZipBytes)
        {
            return (null, new SpecProblem(SpecProblem.CodeConfigMapTooLarge,
                string.Create(CultureInfo.InvariantCulture,
                    $"spec.code.configMap: the zip in {source.Name}/{source.Key} is {bytes.Length} bytes; a ConfigMap holds at most {FunctionDefaults.MaxConfigMapZipBytes} (1 MiB): push it to the code store and use spec.code.zip")));
        }

        if (!IsZip(bytes))
        {
            return (null, new SpecProblem(SpecProblem.InvalidCode,
                $"spec.code.configMap: {source.Name}/{source.Key} is not a zip (it does not start with a zip header): put the function's .zip file there"));
        }

        var sha256 = Hashes.GetValue(bytes, static b => Convert.ToHexStringLower(SHA256.HashData(b)));
        return (new FunctionPackage(runtimeName, runtime, new BlobDigest(sha256, bytes.Length), new ConfigMapKey(source.Name, source.Key), layers), null);
    }

    /// <summary>A zip starts with a local file header (PK 3 4) or, when empty, the end of its central directory (PK 5 6).</summary>
    private static bool IsZip(byte[] bytes) =>
        bytes.Length >= 4 && bytes[0] == (byte)'P' && bytes[1] == (byte)'K' && (bytes[2], bytes[3]) is (3, 4) or (5, 6);

    private static string KeysOf(V1ConfigMap configMap)
    {
        var keys = (configMap.BinaryData?.Keys ?? []).Concat(configMap.Data?.Keys ?? []).Order(StringComparer.Ordinal).ToList();
        return keys.Count == 0 ? "none" : string.Join(", ", keys);
    }
}
