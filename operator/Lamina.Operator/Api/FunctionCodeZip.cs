namespace Lamina.Operator.Api;

/// <summary>A zip in the code store, by content: its SHA-256 (the blob's digest) and its size.</summary>
public sealed class FunctionCodeZip
{
    [RequiredField]
    [Text(MinLength = 64, MaxLength = 64, Pattern = FunctionDefaults.Sha256Pattern)]
    [Doc("The zip's SHA-256 as 64 lowercase hex digits (Lambda's CodeSha256 is the base64 of the same hash).")]
    public string Sha256 { get; set; } = "";

    [RequiredField]
    [Range(1, FunctionDefaults.MaxZipBytes)]
    [Doc("The zip's size in bytes; the pod refuses a blob of any other size.")]
    public long? Size { get; set; }
}
