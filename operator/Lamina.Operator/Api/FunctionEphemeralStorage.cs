namespace Lamina.Operator.Api;

/// <summary>The function's /tmp, as Lambda's EphemeralStorage.</summary>
public sealed class FunctionEphemeralStorage
{
    [Range(FunctionDefaults.EphemeralStorageMB, FunctionDefaults.MaxEphemeralStorageMB)]
    [DefaultValue(FunctionDefaults.EphemeralStorageMB)]
    [Doc("The size of /tmp in MB (512-10240): the limit of its emptyDir; a pod that writes more is evicted.")]
    public int? Size { get; set; }
}
