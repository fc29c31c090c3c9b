using Lamina.Contracts.Code;

namespace Lamina.CodeStore;

/// <summary>Lambda's size limits as the code store applies them.</summary>
public static class CodeStoreLimits
{
    /// <summary>
    /// The largest zip the store takes: Lambda's 250 MB unzipped limit (<see cref="CodeFetchContract.MaxUnzippedBytes"/>).
    /// Lambda takes up to that through S3; a zip larger than what it may unpack to can never run.
    /// </summary>
    public const long MaxZipBytes = CodeFetchContract.MaxUnzippedBytes;

    /// <summary>Lambda's limit on a zip uploaded directly (CreateFunction's ZipFile): 50 MB. Larger ones go through S3 there.</summary>
    public const long DirectUploadBytes = 52_428_800;
}
