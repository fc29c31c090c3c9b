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
    /// <summary>
    /// Problems with <paramref name="function"/>; empty when it is valid. <paramref name="functionExists"/>
    /// answers whether a function of that name exists in the same namespace; <paramref name="runtimes"/> are
    /// the installation's managed runtimes (none when null).
    /// </summary>
    public static IReadOnlyList<SpecProblem> Validate(
        Function function, Func<string, bool> functionExists, IReadOnlyDictionary<string, ManagedRuntime>? runtimes = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(functionExists);
        var problems = new List<SpecProblem>();
        var name = function.Metadata.Name ?? "";
        if (name.Length > Names.MaxLabelLength || !DnsLabel().IsMatch(name))
        {
            problems.Add(SpecProblem.Invalid($"metadata.name \"{name}\" must be a DNS label of at most {Names.MaxLabelLength} characters " +
                "(lowercase letters, digits and '-'; no '.', because callers name functions as <namespace>.<name>)"));
        }

        var spec = function.Spec;
        ValidateSource(spec, runtimes ?? new Dictionary<string, ManagedRuntime>(), problems);

        if (spec.Concurrency is { Reserved: { } reserved, Provisioned: { } provisioned } && provisioned > reserved)
        {
            problems.Add(SpecProblem.Invalid($"spec.concurrency.provisioned ({provisioned}) exceeds spec.concurrency.reserved ({reserved})"));
        }

        ValidateEnvironment(spec, problems);

        foreach (var (field, destination) in new[] { ("spec.async.onSuccess", spec.Async?.OnSuccess), ("spec.async.onFailure", spec.Async?.OnFailure) })
        {
            if (destination is { Function: { Length: > 0 } target } && !functionExists(target))
            {
                problems.Add(SpecProblem.Invalid($"{field}.function: no function \"{target}\" in namespace {function.Metadata.NamespaceProperty}"));
            }
        }

        return problems;
    }

    /// <summary>
    /// Exactly one of image and code (the schema's oneOf says so too; objects stored before it need not),
    /// and what goes with each. A runtime or layers with an image are refused, as Lambda refuses them for
    /// image functions: the image brings its own runtime and /opt, so they would be silently ignored, and
    /// a user who wrote python3.11 would believe something false about what runs.
    /// </summary>
    private static void ValidateSource(FunctionSpec spec, IReadOnlyDictionary<string, ManagedRuntime> runtimes, List<SpecProblem> problems)
    {
        var hasImage = !string.IsNullOrWhiteSpace(spec.Image);
        if (hasImage == (spec.Code is not null))
        {
            problems.Add(SpecProblem.Invalid(hasImage
                ? "spec.image and spec.code are both set: a function is either an image or a zip, remove one"
                : "spec.image or spec.code is required: an image with the function's runtime and code, or a zip on a managed runtime"));
            return;
        }

        if (hasImage)
        {
            if (spec.Runtime is { Length: > 0 } runtime)
            {
                problems.Add(SpecProblem.Invalid($"spec.runtime ({runtime}) applies to spec.code only: an image brings its own runtime; remove spec.runtime, or ship the code as a zip"));
            }

            if (spec.Layers is { Count: > 0 })
            {
                problems.Add(SpecProblem.Invalid("spec.layers apply to spec.code only (as in Lambda): put what the layers hold into the image, or ship the code as a zip"));
            }

            return;
        }

        if (spec.Code is { Zip: not null, ConfigMap: not null } or { Zip: null, ConfigMap: null })
        {
            problems.Add(new SpecProblem(SpecProblem.InvalidCode, "spec.code needs exactly one of zip (in the code store) and configMap"));
        }

        if (spec.Layers is { Count: > FunctionDefaults.MaxLayers } layers)
        {
            problems.Add(SpecProblem.Invalid($"spec.layers: {layers.Count} layers; Lambda allows {FunctionDefaults.MaxLayers}"));
        }

        var available = runtimes.Count == 0 ? "none" : string.Join(", ", runtimes.Keys.Order(StringComparer.Ordinal));
        if (spec.Runtime is not { Length: > 0 } name)
        {
            problems.Add(new SpecProblem(SpecProblem.RuntimeRequired, $"spec.runtime is required with spec.code; this installation has: {available}"));
        }
        else if (!runtimes.TryGetValue(name, out var managed))
        {
            problems.Add(new SpecProblem(SpecProblem.UnsupportedRuntime,
                $"spec.runtime: {name} is not a runtime of this installation; it has: {available} (an administrator adds runtimes in the chart's operator.runtimes)"));
        }
        else if (managed.HandlerRequired && string.IsNullOrWhiteSpace(spec.Handler))
        {
            problems.Add(new SpecProblem(SpecProblem.HandlerRequired,
                $"spec.handler is required by the {name} runtime: the file and function it calls, e.g. index.handler (index.mjs or index.js exporting handler) or app.handler (app.py defining handler)"));
        }
    }

    private static void ValidateEnvironment(FunctionSpec spec, List<SpecProblem> problems)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var bytes = 0;
        for (var i = 0; i < (spec.Env?.Count ?? 0); i++)
        {
            var variable = spec.Env![i];
            var name = variable.Name ?? "";
            if (LambdaEnvironment.Reserved.Contains(name) || name.StartsWith(ShimPodEnvironment.ReservedPrefix, StringComparison.Ordinal))
            {
                problems.Add(SpecProblem.Invalid($"spec.env[{i}].name: {name} is reserved (Lambda's runtime environment or the shim's LAMINA_* settings)"));
            }

            if (!seen.Add(name))
            {
                problems.Add(SpecProblem.Invalid($"spec.env[{i}].name: {name} is set more than once"));
            }

            bytes += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(variable.Value ?? "");
        }

        if (bytes > FunctionDefaults.MaxEnvironmentBytes)
        {
            problems.Add(SpecProblem.Invalid($"spec.env: names and values total {bytes} bytes; Lambda allows {FunctionDefaults.MaxEnvironmentBytes}"));
        }
    }

    [GeneratedRegex(FunctionDefaults.NamePattern)]
    private static partial Regex DnsLabel();
}
