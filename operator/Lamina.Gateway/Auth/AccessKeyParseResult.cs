namespace Lamina.Gateway.Auth;

/// <summary>An access key read from a Secret, or why the Secret holds none (never a secret value).</summary>
internal sealed record AccessKeyParseResult(AccessKey? Key, string? Problem)
{
    public static AccessKeyParseResult Valid(AccessKey key) => new(key, null);

    public static AccessKeyParseResult Malformed(string problem) => new(null, problem);
}
