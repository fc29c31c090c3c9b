namespace Lamina.Operator.Api;

/// <summary>A destination for async invocation records.</summary>
public sealed class FunctionDestination
{
    [RequiredField]
    [Text(MinLength = 1, MaxLength = 63, Pattern = FunctionDefaults.NamePattern)]
    [Doc("The name of a Function in the same namespace that receives the record.")]
    public string Function { get; set; } = "";
}
