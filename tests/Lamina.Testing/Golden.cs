namespace Lamina.Testing;

/// <summary>
/// Golden files: expected output checked in beside the tests. Set <c>LAMINA_UPDATE_GOLDEN=1</c> to
/// rewrite them from the current output (then review the diff before committing).
/// </summary>
public static class Golden
{
    /// <summary>Asserts <paramref name="actual"/> equals the golden file at <paramref name="relativePath"/> (from the repository root).</summary>
    public static void AssertMatches(string relativePath, string actual)
    {
        var path = Path.Combine(RepositoryLayout.Discover().Root, relativePath);
        if (Environment.GetEnvironmentVariable("LAMINA_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
        }

        if (!File.Exists(path))
        {
            throw new Xunit.Sdk.XunitException($"no golden file {relativePath}: run the test with LAMINA_UPDATE_GOLDEN=1 to create it");
        }

        Xunit.Assert.Equal(File.ReadAllText(path), actual);
    }
}
