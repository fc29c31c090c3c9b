using k8s.Models;
using Lamina.Contracts.Code;

namespace Lamina.Gateway.Code;

/// <summary>
/// Who may read which blob, as pure functions of the reviewed token, the request and the token's pod
/// (docs/code-endpoint.md): a token bound to a pod of the path's namespace, that pod a function pod,
/// alive, and its own fetch step naming the digest. So a pod reads only its own code and layers,
/// from its own namespace's repository, and a pod's labels or name alone prove nothing.
/// </summary>
internal static class CodeAccessRules
{
    /// <summary>The operator's label on every function pod (Lamina.Operator's <c>Names.FunctionLabel</c>; ChartCodeEndpointTests keeps the two equal).</summary>
    public const string FunctionLabel = "lamina.dev/function";

    /// <summary>The function pod's init container that runs <c>runtime-shim fetch</c> (written by the operator's Deployment builder).</summary>
    public const string FetchContainer = "fetch-code";

    /// <summary>
    /// What may be checked before the pod is read: a ServiceAccount of <paramref name="namespace"/>
    /// whose token is bound to a pod. Null when both hold.
    /// </summary>
    public static CodeAccessDecision? CheckToken(ReviewedToken token, string @namespace)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.ServiceAccount is not { } account)
        {
            return CodeAccessDecision.Forbid($"{token.Username} is not a ServiceAccount");
        }

        if (account.Namespace != @namespace)
        {
            return CodeAccessDecision.Forbid($"the token's ServiceAccount is in namespace {account.Namespace}, not {@namespace}");
        }

        if (token.PodName is null || token.PodUid is null)
        {
            return CodeAccessDecision.Forbid("the token is not bound to a pod (use a projected ServiceAccount token)");
        }

        return null;
    }

    /// <summary>
    /// The rest, on <paramref name="pod"/> as the API server has it now (null: it no longer exists).
    /// <paramref name="now"/> decides whether a terminating pod is past its grace period.
    /// </summary>
    public static CodeAccessDecision CheckPod(ReviewedToken token, string @namespace, V1Pod? pod, string sha256Hex, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (pod?.Metadata is not { } meta || meta.NamespaceProperty != @namespace || meta.Name != token.PodName)
        {
            return CodeAccessDecision.Forbid($"the token's pod {token.PodName} no longer exists");
        }

        if (meta.Uid != token.PodUid)
        {
            // A pod of the same name made later: the token was bound to the earlier one.
            return CodeAccessDecision.Forbid($"the token's pod {token.PodName} has been replaced by another of the same name");
        }

        if (token.ServiceAccount is not { } account || (pod.Spec?.ServiceAccountName ?? "default") != account.Name)
        {
            return CodeAccessDecision.Forbid($"pod {meta.Name} does not run as the token's ServiceAccount");
        }

        // The kubelet starts no container once the pod's grace period is over; a pod still fetching
        // then is not one that will run.
        if (meta.DeletionTimestamp is { } deletion && new DateTimeOffset(DateTime.SpecifyKind(deletion, DateTimeKind.Utc)) <= now)
        {
            return CodeAccessDecision.Forbid($"pod {meta.Name} is terminating past its grace period");
        }

        if (meta.Labels?.TryGetValue(FunctionLabel, out var function) != true || string.IsNullOrEmpty(function))
        {
            return CodeAccessDecision.Forbid($"pod {meta.Name} is not a function pod (no {FunctionLabel} label)");
        }

        return NamesDigest(pod, sha256Hex)
            ? CodeAccessDecision.Allow
            : CodeAccessDecision.Forbid($"pod {meta.Name}'s {FetchContainer} step does not name sha256:{sha256Hex}");
    }

    /// <summary>
    /// Whether the pod's <see cref="FetchContainer"/> init container has <c>--code</c> or <c>--layer</c>
    /// followed by <c>sha256:&lt;hex&gt;:&lt;size&gt;</c> with exactly this hex. Only that container's
    /// args count: a digest in another container's args, the environment or an annotation is anyone's
    /// to write in a pod spec, but the fetch step is the one that will run the code.
    /// </summary>
    public static bool NamesDigest(V1Pod pod, string sha256Hex)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentException.ThrowIfNullOrEmpty(sha256Hex);
        foreach (var container in pod.Spec?.InitContainers ?? [])
        {
            if (container.Name != FetchContainer || container.Args is not { } args)
            {
                continue;
            }

            for (var i = 0; i + 1 < args.Count; i++)
            {
                if (args[i] is CodeFetchContract.CodeOption or CodeFetchContract.LayerOption && DigestOf(args[i + 1]) == sha256Hex)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The hex of <c>sha256:&lt;hex&gt;:&lt;size&gt;</c>, or null when the value has another shape.</summary>
    internal static string? DigestOf(string? value)
    {
        if (value is null || !value.StartsWith(CodeFetchContract.DigestPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = value.AsSpan(CodeFetchContract.DigestPrefix.Length);
        var colon = rest.IndexOf(':');
        if (colon < 0 || !IsSha256Hex(rest[..colon]) || !long.TryParse(rest[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            return null;
        }

        return rest[..colon].ToString();
    }

    /// <summary>64 lowercase hex digits, as OCI digests are written.</summary>
    public static bool IsSha256Hex(ReadOnlySpan<char> hex)
    {
        if (hex.Length != 64)
        {
            return false;
        }

        foreach (var c in hex)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
