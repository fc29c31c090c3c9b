using System.Text.RegularExpressions;

namespace Lamina.Gateway.Async;

/// <summary>
/// Keeps the Redis password out of messages and logs. The connection string carries it
/// (<c>password=…</c>); a message that quotes the string, or an error that quotes a part of it, goes
/// through here first. Regex, not <c>ConfigurationOptions.Parse</c>: it must work on a string that does not parse.
/// </summary>
internal static partial class RedisSecrets
{
    /// <summary>What a password is replaced with.</summary>
    public const string Mask = "***";

    /// <summary><paramref name="connectionString"/> with every <c>password=</c> value masked.</summary>
    public static string Redact(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        return PasswordOption().Replace(connectionString, static m => m.Groups["value"].Length == 0 ? m.Value : m.Groups["name"].Value + Mask);
    }

    /// <summary><paramref name="text"/> with every secret of <paramref name="options"/> masked: the connection string's passwords, <see cref="AsyncOptions.RedisPassword"/> and <see cref="AsyncOptions.EventSigningKey"/>.</summary>
    public static string Scrub(string? text, AsyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Scrub(text, options.Redis, options.RedisPassword, options.EventSigningKey);
    }

    /// <summary><paramref name="text"/> with every password of <paramref name="connectionString"/>, and each of <paramref name="secrets"/>, masked wherever they appear.</summary>
    public static string Scrub(string? text, string connectionString, params string?[] secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        text = Scrub(text, connectionString);
        foreach (var secret in secrets)
        {
            if (!string.IsNullOrEmpty(secret))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary><paramref name="text"/> with every password of <paramref name="connectionString"/> masked wherever it appears.</summary>
    public static string Scrub(string? text, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        foreach (Match option in PasswordOption().Matches(connectionString))
        {
            var password = option.Groups["value"].Value;
            if (password.Length > 0)
            {
                text = text.Replace(password, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }

    // StackExchange.Redis splits options at commas and matches keywords case-insensitively; "password"
    // at the start, or after a comma and any spaces.
    [GeneratedRegex(@"(?<name>(?:^|,)\s*password\s*=)(?<value>[^,]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordOption();
}
