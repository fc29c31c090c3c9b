using System.Text;
using System.Text.RegularExpressions;
using Lamina.Contracts.Shim;
using Lamina.Operator.Api;

namespace Lamina.Operator.Reconciliation;

/// <summary>
/// What the CRD schema cannot say about a function (the 1.20 API server has no CEL rules): each
/// problem names the field, for the <c>InvalidSpec</c> condition's message.
/// </summary>
internal static partial class SpecValidator
{
    /// <summary>Problems with <paramref name="function"/>; empty when it is valid. <paramref name="functionExists"/> answers whether a function of that name exists in the same namespace.</summary>
    public static IReadOnlyList<string> Validate(Function function, Func<string, bool> functionExists)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(functionExists);
        var problems = new List<string>();
        var name = function.Metadata.Name ?? "";
        if (name.Length > Names.MaxLabelLength || !DnsLabel().IsMatch(name))
        {
            problems.Add($"metadata.name \"{name}\" must be a DNS label of at most {Names.MaxLabelLength} characters " +
                "(lowercase letters, digits and '-'; no '.', because callers name functions as <namespace>.<name>)");
        }

        var spec = function.Spec;
        if (string.IsNullOrWhiteSpace(spec.Image))
        {
            problems.Add("spec.image is required");
        }

        if (spec.Concurrency is { Reserved: { } reserved, Provisioned: { } provisioned } && provisioned > reserved)
        {
            problems.Add($"spec.concurrency.provisioned ({provisioned}) exceeds spec.concurrency.reserved ({reserved})");
        }

        ValidateEnvironment(spec, problems);

        foreach (var (field, destination) in new[] { ("spec.async.onSuccess", spec.Async?.OnSuccess), ("spec.async.onFailure", spec.Async?.OnFailure) })
        {
            if (destination is { Function: { Length: > 0 } target } && !functionExists(target))
            {
                problems.Add($"{field}.function: no function \"{target}\" in namespace {function.Metadata.NamespaceProperty}");
            }
        }

        return problems;
    }

    private static void ValidateEnvironment(FunctionSpec spec, List<string> problems)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var bytes = 0;
        for (var i = 0; i < (spec.Env?.Count ?? 0); i++)
        {
            var variable = spec.Env![i];
            var name = variable.Name ?? "";
            if (LambdaEnvironment.Reserved.Contains(name) || name.StartsWith(ShimPodEnvironment.ReservedPrefix, StringComparison.Ordinal))
            {
                problems.Add($"spec.env[{i}].name: {name} is reserved (Lambda's runtime environment or the shim's LAMINA_* settings)");
            }

            if (!seen.Add(name))
            {
                problems.Add($"spec.env[{i}].name: {name} is set more than once");
            }

            bytes += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(variable.Value ?? "");
        }

        if (bytes > FunctionDefaults.MaxEnvironmentBytes)
        {
            problems.Add($"spec.env: names and values total {bytes} bytes; Lambda allows {FunctionDefaults.MaxEnvironmentBytes}");
        }
    }

    [GeneratedRegex(FunctionDefaults.NamePattern)]
    private static partial Regex DnsLabel();
}
