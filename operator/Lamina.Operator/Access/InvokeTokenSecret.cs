using System.Security.Cryptography;
using System.Text;
using Lamina.Kubernetes.Client;
using k8s.Models;

namespace Lamina.Operator.Access;

/// <summary>
/// The gateways' credential towards the shims' invoke contract and the controller's gRPC service: the
/// Secret <see cref="SecretName"/> in the operator's namespace, key <see cref="Key"/>, one token a line.
/// Gateways present the first; shims (which get only SHA-256 hashes, in <c>LAMINA_INVOKE_TOKEN_SHA256</c>)
/// and the controller accept every line, so a token rotates without a pause: add the new one as a
/// second line, let the function pods roll, move it first, then drop the old (docs/concurrency.md). The
/// leading operator creates the Secret with a random token when it is missing.
/// </summary>
internal sealed partial class InvokeTokenSecret(IKubernetesClient client, string ns, ILogger<InvokeTokenSecret> logger)
{
    public const string SecretName = "lamina-invoke-token";

    public const string Key = "tokens";

    private volatile byte[][] _accepted = [];

    /// <summary>The accepted tokens' hashes, sorted and comma-separated (what function pods get); null before the first read.</summary>
    public string? Hashes { get; private set; }

    /// <summary>Whether <paramref name="token"/> is one of the Secret's (compared by hash, in constant time).</summary>
    public bool Accepts(string? token)
    {
        var accepted = _accepted;
        if (accepted.Length == 0 || string.IsNullOrEmpty(token) || token.Length > 256)
        {
            return false;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        var found = false;
        foreach (var candidate in accepted)
        {
            found |= CryptographicOperations.FixedTimeEquals(hash, candidate);
        }

        return found;
    }

    /// <summary>Reads the Secret (creating it when missing); true when the accepted tokens changed.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        V1Secret secret;
        try
        {
            secret = await client.GetAsync<V1Secret>(ns, SecretName, cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesApiException error) when (error.IsNotFound)
        {
            secret = await CreateAsync(cancellationToken).ConfigureAwait(false);
        }

        var text = secret.Data?.TryGetValue(Key, out var bytes) == true ? Encoding.UTF8.GetString(bytes) : string.Empty;
        var hashes = new List<byte[]>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            hashes.Add(SHA256.HashData(Encoding.UTF8.GetBytes(line)));
        }

        var joined = string.Join(',', hashes.Select(Convert.ToHexStringLower).Order(StringComparer.Ordinal));
        if (hashes.Count == 0)
        {
            LogEmpty(ns, SecretName, Key);
        }

        _accepted = [.. hashes];
        if (joined == Hashes)
        {
            return false;
        }

        Hashes = joined;
        return true;
    }

    private async Task<V1Secret> CreateAsync(CancellationToken cancellationToken)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        try
        {
            var created = await client.CreateAsync(new V1Secret
            {
                ApiVersion = "v1",
                Kind = "Secret",
                Metadata = new V1ObjectMeta
                {
                    Name = SecretName,
                    NamespaceProperty = ns,
                    Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "lamina" },
                },
                Type = "Opaque",
                Data = new Dictionary<string, byte[]> { [Key] = Encoding.UTF8.GetBytes(token + "\n") },
            }, cancellationToken).ConfigureAwait(false);
            LogCreated(ns, SecretName);
            return created;
        }
        catch (KubernetesApiException error) when (error.IsAlreadyExists)
        {
            return await client.GetAsync<V1Secret>(ns, SecretName, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "created Secret {Namespace}/{Secret} with a random token for the gateways")]
    private partial void LogCreated(string @namespace, string secret);

    [LoggerMessage(2, LogLevel.Warning, "Secret {Namespace}/{Secret} has no token under {Key}: no gateway can invoke a function or reach the controller")]
    private partial void LogEmpty(string @namespace, string secret, string key);
}
