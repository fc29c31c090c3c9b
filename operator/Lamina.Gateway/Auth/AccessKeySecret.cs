using System.Collections.Frozen;
using System.Text;
using k8s.Models;

namespace Lamina.Gateway.Auth;

/// <summary>
/// How an access key is kept in a Kubernetes Secret, and the pure function that reads one back:
/// <code>
/// metadata.labels:  lamina.dev/access-key: "true"
/// data.accessKeyId:        the key id callers put in their credential (AWS_ACCESS_KEY_ID)
/// data.secretAccessKey:    the secret they sign with (AWS_SECRET_ACCESS_KEY)
/// data.namespaces:         "team-a,team-b", or "*" for every namespace
/// data.defaultNamespace:   optional: where bare function names resolve (default: the first listed, or "default" for "*")
/// </code>
/// </summary>
internal static class AccessKeySecret
{
    /// <summary>The label that marks a Secret as an access key.</summary>
    public const string Label = "lamina.dev/access-key";

    /// <summary>The informer's selector.</summary>
    public const string LabelSelector = Label + "=true";

    public const string AccessKeyIdField = "accessKeyId";

    public const string SecretAccessKeyField = "secretAccessKey";

    public const string NamespacesField = "namespaces";

    public const string DefaultNamespaceField = "defaultNamespace";

    /// <summary>The grant of every namespace.</summary>
    public const string EveryNamespace = "*";

    /// <summary>Where a key granting every namespace resolves bare names unless it says otherwise.</summary>
    public const string DefaultNamespaceOfEvery = "default";

    /// <summary>A DNS-1123 label: what Kubernetes accepts as a namespace name.</summary>
    private const int MaxNamespaceLength = 63;

    /// <summary>
    /// The access key in <paramref name="secret"/>, or the reason it has none. Values are trimmed
    /// (a <c>kubectl create secret --from-file</c> value keeps the file's last newline).
    /// <paramref name="onlyNamespace"/> is null when the Secret may grant any namespaces (it is in
    /// the gateway's own namespace), otherwise the one namespace it may grant: its own.
    /// </summary>
    public static AccessKeyParseResult Parse(V1Secret secret, string? onlyNamespace)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var data = secret.Data;
        if (!TryRead(data, AccessKeyIdField, out var accessKeyId, out var problem)
            || !TryRead(data, SecretAccessKeyField, out var secretAccessKey, out problem)
            || !TryRead(data, NamespacesField, out var namespacesText, out problem))
        {
            return AccessKeyParseResult.Malformed(problem!);
        }

        if (accessKeyId.Contains('/', StringComparison.Ordinal) || accessKeyId.Any(char.IsWhiteSpace))
        {
            return AccessKeyParseResult.Malformed($"'{AccessKeyIdField}' may not contain '/' or whitespace");
        }

        var listed = namespacesText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (listed.Length == 0)
        {
            return AccessKeyParseResult.Malformed($"'{NamespacesField}' names no namespace");
        }

        FrozenSet<string>? namespaces;
        if (listed.Contains(EveryNamespace))
        {
            if (listed.Length > 1)
            {
                return AccessKeyParseResult.Malformed($"'{NamespacesField}' combines '*' with namespace names");
            }

            namespaces = null;
        }
        else
        {
            foreach (var name in listed)
            {
                if (!IsNamespaceName(name))
                {
                    return AccessKeyParseResult.Malformed($"'{NamespacesField}' lists '{name}', which is not a namespace name");
                }
            }

            namespaces = listed.ToFrozenSet(StringComparer.Ordinal);
        }

        if (onlyNamespace is not null && (namespaces is null || namespaces.Count != 1 || !namespaces.Contains(onlyNamespace)))
        {
            return AccessKeyParseResult.Malformed($"a key outside the gateway's namespace may grant only its own namespace, '{onlyNamespace}'");
        }

        string defaultNamespace;
        if (data!.ContainsKey(DefaultNamespaceField))
        {
            if (!TryRead(data, DefaultNamespaceField, out defaultNamespace, out problem))
            {
                return AccessKeyParseResult.Malformed(problem!);
            }

            if (!IsNamespaceName(defaultNamespace))
            {
                return AccessKeyParseResult.Malformed($"'{DefaultNamespaceField}' '{defaultNamespace}' is not a namespace name");
            }

            if (namespaces is not null && !namespaces.Contains(defaultNamespace))
            {
                return AccessKeyParseResult.Malformed($"'{DefaultNamespaceField}' '{defaultNamespace}' is not one of its namespaces");
            }
        }
        else
        {
            defaultNamespace = namespaces is null ? DefaultNamespaceOfEvery : listed[0];
        }

        return AccessKeyParseResult.Valid(new AccessKey(accessKeyId, secretAccessKey, namespaces, defaultNamespace));
    }

    /// <summary>Whether <paramref name="name"/> is a DNS-1123 label, as namespace names are.</summary>
    public static bool IsNamespaceName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNamespaceLength || name[0] == '-' || name[^1] == '-')
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A data field (the library decodes the API server's base64), as UTF-8 text and trimmed; never empty.</summary>
    private static bool TryRead(IDictionary<string, byte[]>? data, string field, out string value, out string? problem)
    {
        value = "";
        if (data is null || !data.TryGetValue(field, out var bytes) || bytes is not { Length: > 0 })
        {
            problem = $"'{field}' is missing";
            return false;
        }

        try
        {
            value = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes).Trim();
        }
        catch (DecoderFallbackException)
        {
            problem = $"'{field}' is not UTF-8 text";
            return false;
        }

        if (value.Length == 0)
        {
            problem = $"'{field}' is empty";
            return false;
        }

        problem = null;
        return true;
    }
}
