namespace Lamina.RuntimeShim.Code;

/// <summary>The bytes and entries one fetch has unpacked so far, against its <see cref="UnpackLimits"/>.</summary>
internal sealed class UnpackBudget(UnpackLimits limits)
{
    public UnpackLimits Limits { get; } = limits;

    /// <summary>Bytes written so far, every archive together.</summary>
    public long Bytes { get; private set; }

    /// <summary>Entries unpacked so far, every archive together.</summary>
    public int Entries { get; private set; }

    /// <summary>How many more entries may come.</summary>
    public int EntriesLeft => Limits.MaximumEntries - Entries;

    /// <summary>Counts one more entry of <paramref name="what"/>, or refuses it past the limit.</summary>
    public void AddEntry(string what)
    {
        if (Entries >= Limits.MaximumEntries)
        {
            throw new FetchFailure($"{what}: more than {Limits.MaximumEntries} entries in the code and its layers together");
        }

        Entries++;
    }

    /// <summary>Counts <paramref name="count"/> bytes written for <paramref name="entry"/>, or refuses them past the limit.</summary>
    public void AddBytes(long count, string what, string entry)
    {
        if (count > Limits.MaximumBytes - Bytes)
        {
            throw SizeExceeded($"stopped at {what} entry '{entry}'");
        }

        Bytes += count;
    }

    /// <summary>Refuses an archive whose own headers already declare more than is left (an honest large zip fails before a byte is written).</summary>
    public void CheckDeclared(long declared, string what)
    {
        if (declared > Limits.MaximumBytes - Bytes)
        {
            throw SizeExceeded($"{what} declares {declared} bytes unzipped");
        }
    }

    private FetchFailure SizeExceeded(string detail) =>
        new($"unzipped size exceeds {Limits.MaximumBytes / (1024 * 1024)} MB ({Limits.MaximumBytes} bytes, Lambda's limit for the function and its layers together): {detail}");
}
