using System.Text;
using Lamina.Gateway.Auth;
using k8s.Models;

namespace Lamina.Gateway.Tests.Auth;

/// <summary>Access key Secrets as the API server returns them (labelled, values base64 in data).</summary>
internal static class AccessKeySecrets
{
    public static V1Secret Create(
        string ns,
        string name,
        string? accessKeyId = "AKIDTEAMA",
        string? secretAccessKey = "s3cr3t-value",
        string? namespaces = "team-a",
        string? defaultNamespace = null,
        DateTime? created = null,
        string resourceVersion = "1") => new()
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = ns,
                Labels = new Dictionary<string, string> { [AccessKeySecret.Label] = "true" },
                CreationTimestamp = created ?? new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
                ResourceVersion = resourceVersion,
                Uid = $"uid-{ns}-{name}",
            },
            Data = Data(
                (AccessKeySecret.AccessKeyIdField, accessKeyId),
                (AccessKeySecret.SecretAccessKeyField, secretAccessKey),
                (AccessKeySecret.NamespacesField, namespaces),
                (AccessKeySecret.DefaultNamespaceField, defaultNamespace)),
        };

    private static Dictionary<string, byte[]> Data(params (string Field, string? Value)[] fields)
    {
        var data = new Dictionary<string, byte[]>();
        foreach (var (field, value) in fields)
        {
            if (value is not null)
            {
                data[field] = Encoding.UTF8.GetBytes(value);
            }
        }

        return data;
    }
}
