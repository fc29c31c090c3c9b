using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Lamina.Contracts.Lambda;

namespace Lamina.Gateway.Functions;

/// <summary>
/// The FunctionName of an Invoke request, parsed. Lambda accepts a name (<c>my-function</c>), a name
/// with a qualifier (<c>my-function:$LATEST</c>), a partial ARN (<c>123456789012:function:my-function</c>)
/// and a full ARN (<c>arn:aws:lambda:us-east-1:123456789012:function:my-function[:qualifier]</c>).
/// Lamina maps a name to Kubernetes as <c>namespace.name</c>: a bare name means the caller's default
/// namespace. Neither part can contain a dot in Kubernetes, so one dot splits them.
/// </summary>
internal sealed partial record FunctionReference(string? Namespace, string Name, string? Qualifier)
{
    // Lambda's limits: 64 characters for a name, 140 for an ARN form (the qualifier included).
    public const int MaximumNameLength = 64;
    public const int MaximumArnLength = 140;

    /// <summary>Parses <paramref name="text"/>; false with Lambda's validation message when it is not a function name.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out FunctionReference? reference, [NotNullWhen(false)] out string? error)
    {
        reference = null;
        error = null;
        if (string.IsNullOrEmpty(text) || text.Length > MaximumArnLength)
        {
            error = Invalid(text);
            return false;
        }

        var parts = text.Split(':');
        string name;
        string? qualifier = null;
        if (parts.Length is 7 or 8 && parts[0] == "arn" && IsPartition(parts[1]) && parts[2] == "lambda" && Region().IsMatch(parts[3])
            && IsAccount(parts[4]) && parts[5] == "function")
        {
            name = parts[6];
            qualifier = parts.Length == 8 ? parts[7] : null;
        }
        else if (parts.Length is 3 or 4 && parts[1] == "function" && IsAccount(parts[0]))
        {
            name = parts[2];
            qualifier = parts.Length == 4 ? parts[3] : null;
        }
        else if (parts.Length is 1 or 2 && text.Length <= MaximumNameLength + 1 + MaximumQualifierLength)
        {
            name = parts[0];
            qualifier = parts.Length == 2 ? parts[1] : null;
        }
        else
        {
            error = Invalid(text);
            return false;
        }

        if (name.Length is 0 or > MaximumNameLength || !IsNameText(name) || (qualifier is not null && !IsQualifier(qualifier)))
        {
            error = Invalid(text);
            return false;
        }

        var dot = name.IndexOf('.', StringComparison.Ordinal);
        reference = dot < 0
            ? new FunctionReference(null, name, qualifier)
            : new FunctionReference(name[..dot], name[(dot + 1)..], qualifier);
        return true;
    }

    /// <summary>The Lambda-side name: <c>namespace.name</c>.</summary>
    public string QualifiedName(string defaultNamespace) => $"{Namespace ?? defaultNamespace}.{Name}";

    private const int MaximumQualifierLength = 128;

    private static bool IsAccount(string text) => text.Length == 12 && text.All(char.IsAsciiDigit);

    // Lambda's pattern: (aws[a-zA-Z-]*)? — aws, aws-cn, aws-us-gov, or left out.
    private static bool IsPartition(string text) =>
        text.Length == 0 || (text.StartsWith("aws", StringComparison.Ordinal) && text.All(c => char.IsAsciiLetter(c) || c == '-'));

    // Lambda's pattern for the region of an ARN; any region is accepted (a client signs for the one it likes).
    [GeneratedRegex(@"^[a-z]{2}(-gov)?-[a-z]+-[0-9]\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Region();

    private static bool IsNameText(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    // Lambda's pattern for the qualifier in a FunctionName: \$LATEST|[a-zA-Z0-9-_]+ ('$' only in $LATEST).
    private static bool IsQualifier(string text)
    {
        if (text == LambdaInvokeApi.Latest)
        {
            return true;
        }

        if (text.Length is 0 or > MaximumQualifierLength)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Invalid(string text) =>
        $"1 validation error detected: Value '{text}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{{2}}(-gov)?-[a-z]+-\\d{{1}}:)?(\\d{{12}}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?";
}
