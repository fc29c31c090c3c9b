namespace Lamina.Operator.Api;

/// <summary>Where a function's zip comes from: the code store, or a ConfigMap (exactly one).</summary>
[Doc("The function's code as a zip: in the code store by digest (zip), or in a ConfigMap (configMap). Exactly one.")]
[OneOfRequired("zip")]
[OneOfRequired("configMap")]
public sealed class FunctionCode
{
    [Doc("A zip in the code store, named by its SHA-256 and size (what `lamina code push` prints).")]
    public FunctionCodeZip? Zip { get; set; }

    [Doc("A zip of at most 1 MiB in a binaryData key of a ConfigMap of the function's namespace labelled lamina.dev/code=true (for GitOps repositories).")]
    public FunctionCodeConfigMap? ConfigMap { get; set; }
}
