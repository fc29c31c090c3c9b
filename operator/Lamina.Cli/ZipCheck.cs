using System.IO.Compression;
using Lamina.CodeStore;
using Lamina.Contracts.Code;

namespace Lamina.Cli;

/// <summary>
/// Refuses, before anything is uploaded, a file no function could run: not a zip (its central
/// directory does not parse), larger than the store takes, or unpacking to more than Lambda's 250 MB.
/// The function pod checks again as it unpacks (entries' sizes in a zip can lie); this is for a clear
/// message at push time.
/// </summary>
internal static class ZipCheck
{
    /// <summary>Null when <paramref name="path"/> can be pushed, else why not.</summary>
    public static string? Problem(string path, out long size, out long unzipped)
    {
        size = 0;
        unzipped = 0;
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            return $"{path} does not exist";
        }

        size = file.Length;
        if (size > CodeStoreLimits.MaxZipBytes)
        {
            return $"{path} is {size} bytes; the code store takes zips of up to {CodeStoreLimits.MaxZipBytes} bytes (Lambda's 250 MB unzipped limit)";
        }

        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries)
            {
                unzipped += entry.Length;
            }
        }
        catch (InvalidDataException e)
        {
            return $"{path} is not a zip ({e.Message})";
        }

        return unzipped > CodeFetchContract.MaxUnzippedBytes
            ? $"{path} unzips to {unzipped} bytes, more than Lambda's limit of {CodeFetchContract.MaxUnzippedBytes} bytes for a function and its layers together"
            : null;
    }
}
