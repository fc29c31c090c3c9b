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

    /// <summary>Suffix of the on-demand Deployment and of the Service that run a function.</summary>
    private const string ChildSuffix = "-fn";

    /// <summary>Suffix of the provisioned-concurrency Deployment.</summary>
    private const string ProvisionedSuffix = "-pc";

    /// <summary>Selects a function's pods; also on the Deployments and Service.</summary>
    public const string FunctionLabel = "lamina.dev/function";

    /// <summary>
    /// Which Deployment a pod belongs to: part of each Deployment's selector, so that the on-demand and the
    /// provisioned-concurrency Deployments never select each other's pods.
    /// </summary>
    public const string InitTypeLabel = "lamina.dev/init-type";

    /// <summary>Value of <see cref="InitTypeLabel"/> (and Lambda's AWS_LAMBDA_INITIALIZATION_TYPE) on on-demand environments.</summary>
    public const string OnDemandInitType = "on-demand";

    /// <summary>Value of <see cref="InitTypeLabel"/> (and Lambda's AWS_LAMBDA_INITIALIZATION_TYPE) on provisioned environments.</summary>
    public const string ProvisionedInitType = "provisioned-concurrency";

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

    /// <summary>The function's on-demand Deployment.</summary>
    public static string Deployment(Function function) => Child(NameOf(function), ChildSuffix);

    /// <summary>The function's provisioned-concurrency Deployment.</summary>
    public static string ProvisionedDeployment(Function function) => Child(NameOf(function), ProvisionedSuffix);

    /// <summary>The Deployment of <paramref name="kind"/>'s environments.</summary>
    public static string Deployment(Function function, EnvironmentKind kind) =>
        kind == EnvironmentKind.Provisioned ? ProvisionedDeployment(function) : Deployment(function);

    /// <summary>The <see cref="InitTypeLabel"/> value of <paramref name="kind"/>'s environments.</summary>
    public static string InitType(EnvironmentKind kind) =>
        kind == EnvironmentKind.Provisioned ? ProvisionedInitType : OnDemandInitType;

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

    /// <summary>Labels on one of the function's Deployments and its pods: <see cref="Labels(Function)"/> and the init type.</summary>
    public static Dictionary<string, string> Labels(Function function, EnvironmentKind kind)
    {
        var labels = Labels(function);
        labels[InitTypeLabel] = InitType(kind);
        return labels;
    }

    /// <summary>The Service's selector: every pod of the function, on-demand and provisioned alike.</summary>
    public static Dictionary<string, string> Selector(Function function) => new() { [FunctionLabel] = NameOf(function) };

    /// <summary>A Deployment's selector (immutable): the function's pods of one <paramref name="kind"/>.</summary>
    public static Dictionary<string, string> Selector(Function function, EnvironmentKind kind) => new()
    {
        [FunctionLabel] = NameOf(function),
        [InitTypeLabel] = InitType(kind),
    };

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
