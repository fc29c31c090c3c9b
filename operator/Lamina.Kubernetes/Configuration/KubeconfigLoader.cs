using System.Security.Cryptography.X509Certificates;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lamina.Kubernetes.Configuration;

/// <summary>
/// Reads a kubeconfig file (the subset Lamina needs: one context's cluster, user and namespace).
/// Uses YamlDotNet's representation model rather than its reflection-based deserialiser, so it
/// stays AOT-safe. Relative file paths resolve against the kubeconfig's folder, as kubectl does.
/// </summary>
public static class KubeconfigLoader
{
    /// <summary>Loads <paramref name="path"/> for <paramref name="context"/> (the file's <c>current-context</c> when null).</summary>
    /// <param name="path">The kubeconfig file.</param>
    /// <param name="context">The context's name; the file's <c>current-context</c> when null.</param>
    /// <param name="timeProvider">Drives the re-read interval of a <c>tokenFile</c>.</param>
    /// <exception cref="KubernetesConfigurationException">The file, context, cluster, user or a field is missing or malformed.</exception>
    public static KubernetesClientConfiguration Load(string path, string? context = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new KubernetesConfigurationException($"the kubeconfig {fullPath} does not exist");
        }

        return Parse(File.ReadAllText(fullPath), fullPath, context, timeProvider);
    }

    /// <summary>
    /// Parses kubeconfig text; <paramref name="origin"/> (the file's path) names it in errors and
    /// its folder anchors relative paths.
    /// </summary>
    public static KubernetesClientConfiguration Parse(string yaml, string origin, string? context = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentException.ThrowIfNullOrWhiteSpace(origin);
        var document = new Document(LoadRoot(yaml, origin), origin, Path.GetDirectoryName(Path.GetFullPath(origin)) ?? ".");

        var contextName = context ?? Document.Scalar(document.Root, "current-context");
        if (string.IsNullOrEmpty(contextName))
        {
            throw new KubernetesConfigurationException($"the kubeconfig {origin} sets no current-context and no context was named (contexts: {document.Names("contexts")})");
        }

        var contextNode = document.Named("contexts", "context", contextName)
            ?? throw new KubernetesConfigurationException($"the kubeconfig {origin} has no context named '{contextName}' (contexts: {document.Names("contexts")})");
        var clusterName = Document.Scalar(contextNode, "cluster")
            ?? throw new KubernetesConfigurationException($"context '{contextName}' in {origin} names no cluster");
        var cluster = document.Named("clusters", "cluster", clusterName)
            ?? throw new KubernetesConfigurationException($"context '{contextName}' in {origin} names cluster '{clusterName}', which the file does not define (clusters: {document.Names("clusters")})");
        var userName = Document.Scalar(contextNode, "user");
        YamlMappingNode? user = null;
        if (!string.IsNullOrEmpty(userName))
        {
            user = document.Named("users", "user", userName)
                ?? throw new KubernetesConfigurationException($"context '{contextName}' in {origin} names user '{userName}', which the file does not define (users: {document.Names("users")})");
        }

        var ns = Document.Scalar(contextNode, "namespace");
        var configuration = ClusterPart(document, cluster, clusterName);
        configuration = user is null ? configuration : UserPart(document, user, userName!, configuration, timeProvider);
        return configuration with { Namespace = string.IsNullOrEmpty(ns) ? KubernetesClientConfiguration.DefaultNamespace : ns };
    }

    private static KubernetesClientConfiguration ClusterPart(Document document, YamlMappingNode cluster, string name)
    {
        var where = $"cluster '{name}' in {document.Origin}";
        var serverText = Document.Scalar(cluster, "server")
            ?? throw new KubernetesConfigurationException($"{where} has no server");
        if (!Uri.TryCreate(serverText, UriKind.Absolute, out var server) || (server.Scheme != Uri.UriSchemeHttps && server.Scheme != Uri.UriSchemeHttp))
        {
            throw new KubernetesConfigurationException($"{where}: server '{serverText}' is not an http(s) URL");
        }

        // As in client-go, inline data wins over a file when both are given.
        var authorityPem = Document.Data(cluster, "certificate-authority-data", where)
            ?? document.FileText(cluster, "certificate-authority", where);
        return new KubernetesClientConfiguration
        {
            Server = server,
            CertificateAuthorities = authorityPem is null ? [] : CertificateLoader.Authorities(authorityPem, $"the certificate authority of {where}"),
            SkipTlsVerify = Document.Boolean(cluster, "insecure-skip-tls-verify", where),
        };
    }

    private static KubernetesClientConfiguration UserPart(Document document, YamlMappingNode user, string name, KubernetesClientConfiguration configuration, TimeProvider? timeProvider)
    {
        var where = $"user '{name}' in {document.Origin}";
        var certificatePem = Document.Data(user, "client-certificate-data", where) ?? document.FileText(user, "client-certificate", where);
        var keyPem = Document.Data(user, "client-key-data", where) ?? document.FileText(user, "client-key", where);
        X509Certificate2? certificate = null;
        if (certificatePem is not null || keyPem is not null)
        {
            if (certificatePem is null || keyPem is null)
            {
                throw new KubernetesConfigurationException($"{where} sets a client {(certificatePem is null ? "key" : "certificate")} without its {(certificatePem is null ? "certificate" : "key")}");
            }

            certificate = CertificateLoader.ClientCertificate(certificatePem, keyPem, where);
        }

        ITokenSource? tokens = null;
        var token = Document.Scalar(user, "token");
        var tokenFile = Document.Scalar(user, "tokenFile");
        if (!string.IsNullOrEmpty(token))
        {
            tokens = new StaticTokenSource(token);
        }
        else if (!string.IsNullOrEmpty(tokenFile))
        {
            var tokenPath = document.Resolve(tokenFile);
            if (!File.Exists(tokenPath))
            {
                throw new KubernetesConfigurationException($"{where}: tokenFile {tokenPath} does not exist");
            }

            tokens = new FileTokenSource(tokenPath, timeProvider);
        }

        if (tokens is null && certificate is null)
        {
            foreach (var unsupported in (ReadOnlySpan<string>)["exec", "auth-provider", "username"])
            {
                if (Document.Has(user, unsupported))
                {
                    throw new KubernetesConfigurationException(
                        $"{where} authenticates with '{unsupported}', which Lamina's client does not support: use token, tokenFile or a client certificate");
                }
            }
        }

        return configuration with { ClientCertificate = certificate, TokenSource = tokens };
    }

    private static YamlMappingNode LoadRoot(string yaml, string origin)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(yaml);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new KubernetesConfigurationException($"the kubeconfig {origin} is not valid YAML: {e.Message}", e);
        }

        return stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode root
            ? root
            : throw new KubernetesConfigurationException($"the kubeconfig {origin} is empty or not a YAML mapping");
    }

    /// <summary>One parsed file: lookups that report errors against it.</summary>
    private sealed record Document(YamlMappingNode Root, string Origin, string Directory)
    {
        public static bool Has(YamlMappingNode map, string key) => map.Children.ContainsKey(new YamlScalarNode(key));

        /// <summary>A scalar's text; null when absent, empty, or a plain YAML null (<c>~</c>, <c>null</c>).</summary>
        public static string? Scalar(YamlMappingNode map, string key)
        {
            if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node) || node is not YamlScalarNode { Value: { Length: > 0 } value } scalar)
            {
                return null;
            }

            var quoted = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted;
            return !quoted && value is "~" or "null" or "Null" or "NULL" ? null : value;
        }

        public static bool Boolean(YamlMappingNode map, string key, string where)
        {
            var text = Scalar(map, key);
            return text?.ToLowerInvariant() switch
            {
                null or "false" or "no" or "off" => false,
                "true" or "yes" or "on" => true,
                _ => throw new KubernetesConfigurationException($"{where}: {key} is '{text}', not true or false"),
            };
        }

        /// <summary>A base64 field (the <c>…-data</c> forms), decoded to text.</summary>
        public static string? Data(YamlMappingNode map, string key, string where)
        {
            var text = Scalar(map, key);
            if (text is null)
            {
                return null;
            }

            try
            {
                return Encoding.UTF8.GetString(Convert.FromBase64String(text));
            }
            catch (FormatException e)
            {
                throw new KubernetesConfigurationException($"{where}: {key} is not base64", e);
            }
        }

        /// <summary>The text of a file a field names.</summary>
        public string? FileText(YamlMappingNode map, string key, string where)
        {
            var value = Scalar(map, key);
            if (value is null)
            {
                return null;
            }

            var path = Resolve(value);
            try
            {
                return File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new KubernetesConfigurationException($"{where}: {key} {path} cannot be read: {e.Message}", e);
            }
        }

        public string Resolve(string path) => Path.GetFullPath(path, Directory);

        /// <summary>The entry named <paramref name="name"/> of a list like <c>clusters</c>, unwrapped (<c>cluster:</c>).</summary>
        public YamlMappingNode? Named(string listKey, string itemKey, string name)
        {
            foreach (var entry in Entries(listKey))
            {
                if (Scalar(entry, "name") == name)
                {
                    return entry.Children.TryGetValue(new YamlScalarNode(itemKey), out var inner) && inner is YamlMappingNode mapping
                        ? mapping
                        : new YamlMappingNode();
                }
            }

            return null;
        }

        public string Names(string listKey)
        {
            var names = Entries(listKey).Select(e => Scalar(e, "name")).Where(n => n is not null).ToList();
            return names.Count == 0 ? "none" : string.Join(", ", names);
        }

        private IEnumerable<YamlMappingNode> Entries(string listKey) =>
            Root.Children.TryGetValue(new YamlScalarNode(listKey), out var list) && list is YamlSequenceNode sequence
                ? sequence.Children.OfType<YamlMappingNode>()
                : [];
    }
}
