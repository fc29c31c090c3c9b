namespace Lamina.Operator.Api;

/// <summary>A layer: a zip in the code store unpacked into /opt before the function's code runs.</summary>
public sealed class FunctionLayer
{
    [RequiredField]
    [Text(MinLength = 64, MaxLength = 64, Pattern = FunctionDefaults.Sha256Pattern)]
    [Doc("The layer zip's SHA-256 as 64 lowercase hex digits.")]
    public string Sha256 { get; set; } = "";

    [RequiredField]
    [Range(1, FunctionDefaults.MaxZipBytes)]
    [Doc("The layer zip's size in bytes.")]
    public long? Size { get; set; }

    [Text(MinLength = 1, MaxLength = 140, Pattern = FunctionDefaults.LayerArnPattern)]
    [Doc("The Lambda layer version ARN the content was published as, for the record (Lamina fetches by digest, never by ARN).")]
    public string? Arn { get; set; }
}
