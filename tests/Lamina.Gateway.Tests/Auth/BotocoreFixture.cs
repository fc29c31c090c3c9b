using System.Globalization;
using System.Text.Json;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Auth;

/// <summary>botocore-invoke-fixtures.json, written by sign_fixtures.py: Invoke requests as botocore and the AWS CLI sign them.</summary>
internal sealed record BotocoreFixture(string AccessKeyId, string SecretAccessKey, IReadOnlyList<BotocoreCase> Cases)
{
    public const string RelativePath = "tests/Lamina.Gateway.Tests/Auth/botocore-invoke-fixtures.json";

    private static readonly Lazy<BotocoreFixture> Loaded = new(Read);

    public static BotocoreFixture Load() => Loaded.Value;

    public BotocoreCase Case(string name) => Cases.Single(c => c.Name == name);

    private static BotocoreFixture Read()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryLayout.Discover().Root, RelativePath)));
        var root = json.RootElement;
        var cases = root.GetProperty("cases").EnumerateArray().Select(c => new BotocoreCase(
            c.GetProperty("name").GetString()!,
            c.GetProperty("source").GetString()!,
            DateTimeOffset.ParseExact(c.GetProperty("now").GetString()!, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            c.GetProperty("method").GetString()!,
            c.GetProperty("target").GetString()!,
            [.. c.GetProperty("headers").EnumerateArray().Select(h => h.GetString()!)],
            Convert.FromBase64String(c.GetProperty("body").GetString()!),
            c.GetProperty("canonicalRequest").GetString())).ToList();
        return new BotocoreFixture(root.GetProperty("accessKeyId").GetString()!, root.GetProperty("secretAccessKey").GetString()!, cases);
    }
}
