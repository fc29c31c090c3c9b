namespace Lamina.Operator.Api;

/// <summary>A zip in a ConfigMap's binaryData key.</summary>
public sealed class FunctionCodeConfigMap
{
    [RequiredField]
    [Text(MinLength = 1, MaxLength = 253, Pattern = FunctionDefaults.SubdomainPattern)]
    [Doc("The ConfigMap, in the function's namespace; it must carry the label lamina.dev/code=true (the operator watches only those).")]
    public string Name { get; set; } = "";

    [RequiredField]
    [Text(MinLength = 1, MaxLength = 253, Pattern = FunctionDefaults.ConfigMapKeyPattern)]
    [Doc("The binaryData key that holds the zip (kubectl create configmap --from-file=function.zip puts a zip there).")]
    public string Key { get; set; } = "";
}
