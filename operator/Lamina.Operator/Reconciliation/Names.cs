using System.Security.Cryptography;
using System.Text;
using Lamina.Operator.Api;

namespace Lamina.Operator.Reconciliation;

/// <summary>
/// Every name and label the operator derives from a Function, in one place. Children's names
/// are DNS-1035 labels of at most 63 characters (Service names must be); a name that would be
/// longer is cut and given a hash suffix so that it stays unique (as Knative's names package does).
/// </summary>
internal static class Names
{
    /// <summary>The longest DNS-1035 label.</summary>
    public const int MaxLabelLength = 63;

    /// <summary>Suffix of the Deployment and Service that run a function.</summary>
    private const string ChildSuffix = "-fn";

    /// <summary>Selects a function's pods; also on the Deployment and Service.</summary>
    public const string FunctionLabel = "lamina.dev/function";

    /// <summary>Standard label: which tool manages the object.</summary>
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";

    /// <summary>Value of <see cref="ManagedByLabel"/>.</summary>
    public const string ManagedByValue = "lamina";

    /// <summary>Standard label: the application's name.</summary>
    public const string NameLabel = "app.kubernetes.io/name";

    /// <summary>Standard label: the role of the object.</summary>
    public const string ComponentLabel = "app.kubernetes.io/component";

    /// <summary>The field manager of every server-side apply the operator makes.</summary>
    public const string FieldManager = "lamina-operator";

    /// <summary>The function's Deployment.</summary>
    public static string Deployment(Function function) => Child(NameOf(function), ChildSuffix);

    /// <summary>The function's Service.</summary>
    public static string Service(Function function) => Child(NameOf(function), ChildSuffix);

    /// <summary>The Lambda-style function name callers use: <c>&lt;namespace&gt;.&lt;name&gt;</c>.</summary>
    public static string QualifiedName(Function function) => $"{function.Metadata.NamespaceProperty}.{NameOf(function)}";

    /// <summary>Labels on the function's Deployment, Service and pods.</summary>
    public static Dictionary<string, string> Labels(Function function) => new()
    {
        [FunctionLabel] = NameOf(function),
        [NameLabel] = NameOf(function),
        [ComponentLabel] = "function",
        [ManagedByLabel] = ManagedByValue,
    };

    /// <summary>The pod selector: only the function label, which never changes.</summary>
    public static Dictionary<string, string> Selector(Function function) => new() { [FunctionLabel] = NameOf(function) };

    /// <summary><paramref name="parent"/> + <paramref name="suffix"/>, cut with a hash when longer than a label may be.</summary>
    public static string Child(string parent, string suffix)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(suffix);
        var name = parent + suffix;
        if (name.Length <= MaxLabelLength)
        {
            return name;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8];
        var keep = MaxLabelLength - suffix.Length - hash.Length - 1;
        return $"{parent[..keep].TrimEnd('-')}-{hash}{suffix}";
    }

    private static string NameOf(Function function) =>
        function.Metadata.Name ?? throw new ArgumentException("the function has no metadata.name", nameof(function));
}
