using Lamina.RuntimeShim.Code;

namespace Lamina.RuntimeShim.Tests.Code;

/// <summary>One <c>runtime-shim fetch</c> run in process, with what it printed.</summary>
internal sealed record FetchRun(int ExitCode, string Output, string Error)
{
    /// <summary>Retries fast, so a test of a store that stays down ends in a second.</summary>
    public static FetchRetryPolicy QuickRetry { get; } = new()
    {
        FirstDelay = TimeSpan.FromMilliseconds(20),
        MaximumDelay = TimeSpan.FromMilliseconds(100),
        Total = TimeSpan.FromSeconds(1),
    };

    public static async Task<FetchRun> RunAsync(FetchOptions options, UnpackLimits? limits = null, FetchRetryPolicy? retry = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CodeFetcher.RunAsync(options, output, error, limits, retry ?? QuickRetry);
        return new FetchRun(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Fetches <paramref name="zip"/> as the function's code from a file (a ConfigMap key) into <paramref name="folders"/>.</summary>
    public static async Task<FetchRun> CodeFileAsync(FetchFolders folders, byte[] zip, UnpackLimits? limits = null)
    {
        var file = Path.Combine(Path.GetTempPath(), $"lamina-code-{Guid.NewGuid():N}.zip");
        await File.WriteAllBytesAsync(file, zip);
        try
        {
            return await RunAsync(
                new FetchOptions { Code = TestZip.DigestOf(zip), CodeFile = file, Task = folders.Task, Opt = folders.Opt, TerminationLog = folders.TerminationLog },
                limits);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The failure's line, after checking the run failed with exactly one line on stderr.</summary>
    public string SingleErrorLine()
    {
        Assert.Equal(1, ExitCode);
        Assert.Equal(string.Empty, Output);
        var lines = Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return Assert.Single(lines);
    }
}
