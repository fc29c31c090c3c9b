using System.Text.RegularExpressions;

namespace Lamina.CodeStore;

/// <summary>
/// The checks on what callers name a blob by, before any of it goes into a registry path: a
/// namespace that is not a DNS-1123 label, or a digest that is not 64 hex digits, could otherwise
/// reach another repository (<c>../</c>) or another route of the registry.
/// </summary>
internal static partial class CodeStoreNames
{
    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="namespace"/> is a Kubernetes namespace name.</summary>
    public static void ValidateNamespace(string @namespace)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        if (@namespace.Length > 63 || !NamespacePattern().IsMatch(@namespace))
        {
            throw new ArgumentException($"'{@namespace}' is not a namespace name (a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit)", nameof(@namespace));
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="sha256Hex"/> is 64 lowercase hex digits.</summary>
    public static void ValidateSha256Hex(string sha256Hex)
    {
        ArgumentNullException.ThrowIfNull(sha256Hex);
        if (!Sha256Pattern().IsMatch(sha256Hex))
        {
            throw new ArgumentException($"'{sha256Hex}' is not a SHA-256 digest (64 lowercase hex digits, without 'sha256:')", nameof(sha256Hex));
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex NamespacePattern();

    [GeneratedRegex("^[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256Pattern();
}
