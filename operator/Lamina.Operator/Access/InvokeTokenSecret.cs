using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using Lamina.Contracts.Tokens;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Events;
using k8s.Models;

namespace Lamina.Operator.Access;

/// <summary>
/// The gateways' credential towards the shims' invoke contract and the controller's gRPC service: the
/// Secret <see cref="SecretName"/> in the operator's namespace, key <see cref="Key"/>, one token a line.
/// Gateways present the first; shims (which get only SHA-256 hashes, in <c>LAMINA_INVOKE_TOKEN_SHA256</c>)
/// and the controller accept every line, so a token rotates without a pause: add the new one as a
/// second line, let the function pods roll, move it first, then drop the old (docs/concurrency.md). The
/// leading operator creates the Secret with a random token when it is missing.
/// A Secret that exists but is broken (no <see cref="Key"/>, no token, a line that is not a token)
/// changes nothing: the last good tokens stay in force, here and in the function pods (gateways that
/// hold the old token keep working), and the break is reported (a Warning Event on the Secret, the
/// gauge <see cref="ValidMetric"/> at 0, the alert LaminaInvokeTokenSecretInvalid). It is never
/// replaced by a fresh random token, which no gateway would hold.
/// </summary>
internal sealed partial class InvokeTokenSecret
{
    public const string SecretName = InvokeTokenSecretContract.SecretName;

    public const string Key = InvokeTokenSecretContract.Key;

    /// <summary>1 while the leader reads a usable Secret, 0 while it reads a broken one; absent on standbys.</summary>
    public const string ValidMetric = "lamina_invoke_token_secret_valid";

    /// <summary>The Event reasons on the Secret.</summary>
    public const string InvalidReason = "InvalidInvokeTokenSecret";

    public const string RepairedReason = "InvokeTokenSecretRepaired";

    /// <summary>What the gateways send in a header and in gRPC metadata; the gateway and the shim refuse longer ones.</summary>
    public const int MaximumTokenLength = 256;

    private readonly IKubernetesClient _client;
    private readonly string _ns;
    private readonly IEventRecorder _events;
    private readonly ILogger<InvokeTokenSecret> _logger;
    private volatile byte[][] _accepted = [];
    private volatile string? _problem;
    private int _valid = -1; // -1: not read while leading; 0 broken; 1 valid

    // A standby's read puts nothing in force once this replica leads (checked under the lock with the
    // leader's own update): one that ended after the leader's first read would put older tokens in
    // force without the leader noticing a change.
    private readonly Lock _keeping = new();
    private volatile bool _lead;

    public InvokeTokenSecret(IKubernetesClient client, string ns, IEventRecorder events, IMeterFactory meters, ILogger<InvokeTokenSecret> logger)
    {
        ArgumentNullException.ThrowIfNull(meters);
        (_client, _ns, _events, _logger) = (client, ns, events, logger);
        meters.Create(Hosting.ReconcileMetrics.MeterName).CreateObservableGauge(
            ValidMetric,
            ObserveValid,
            description: "1 while the invoke-token Secret holds usable tokens, 0 while it is broken (the last good tokens stay in force); reported by the leader only.");
    }

    /// <summary>The accepted tokens' hashes, sorted and comma-separated (what function pods get): the last good ones; null before the first good read.</summary>
    public string? Hashes { get; private set; }

    /// <summary>Why the last read Secret is not usable; null when it was (or nothing was read).</summary>
    public string? Problem => _problem;

    /// <summary>Whether <paramref name="token"/> is one of the Secret's (compared by hash, in constant time).</summary>
    public bool Accepts(string? token)
    {
        var accepted = _accepted;
        if (accepted.Length == 0 || string.IsNullOrEmpty(token) || token.Length > MaximumTokenLength)
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

    /// <summary>
    /// Reads the Secret (creating it when missing); true when the accepted tokens changed. A broken
    /// Secret keeps the tokens in force and answers false.
    /// </summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        _lead = true;
        V1Secret secret;
        try
        {
            secret = await _client.GetAsync<V1Secret>(_ns, SecretName, cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesApiException error) when (error.IsNotFound)
        {
            // Only a missing Secret gets a new token: that is how an installation starts (and how an
            // admin starts over, accepting that pods holding the old hashes refuse until they roll).
            secret = await CreateAsync(cancellationToken).ConfigureAwait(false);
        }

        var (hashes, problem) = Parse(secret.Data);
        if (problem is not null)
        {
            Broken(secret, problem);
            return false;
        }

        if (Interlocked.Exchange(ref _valid, 1) == 0)
        {
            _problem = null;
            LogRepaired(_ns, SecretName);
            _events.Normal(About(secret), RepairedReason, $"Secret {_ns}/{SecretName} holds usable tokens again: function pods get their hashes.");
        }

        return Keep(hashes, standby: false);
    }

    /// <summary>Puts good tokens in force (a standby's only while this replica does not lead); true when they differ from those before.</summary>
    private bool Keep(List<byte[]> hashes, bool standby)
    {
        var joined = string.Join(',', hashes.Select(Convert.ToHexStringLower).Order(StringComparer.Ordinal));
        lock (_keeping)
        {
            if (standby && _lead)
            {
                return false;
            }

            _accepted = [.. hashes];
            if (joined == Hashes)
            {
                return false;
            }

            Hashes = joined;
            return true;
        }
    }

    /// <summary>
    /// A standby's read: it learns the good tokens, so that if it comes to lead while the Secret is
    /// broken it still has the last good ones (and takes the gateways that hold them). It never creates
    /// the Secret, records no Event and sets no gauge: the leader does those. True when the tokens changed.
    /// </summary>
    public async Task<bool> LearnAsync(CancellationToken cancellationToken)
    {
        if (_lead)
        {
            return false;
        }

        V1Secret secret;
        try
        {
            secret = await _client.GetAsync<V1Secret>(_ns, SecretName, cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesApiException error) when (error.IsNotFound)
        {
            return false; // the leader creates it
        }

        var (hashes, problem) = Parse(secret.Data);
        if (problem is not null)
        {
            return false;
        }

        return Keep(hashes, standby: true);
    }

    /// <summary>Leadership ended: the gauge goes quiet (the next leader reports); the last good tokens stay known.</summary>
    public void StandDown()
    {
        _lead = false;
        Interlocked.Exchange(ref _valid, -1);
    }

    /// <summary>
    /// The tokens' SHA-256 hashes, or why the Secret is not usable: no data or no <see cref="Key"/>, not
    /// UTF-8, no token at all, or a line that is not a token (more than <see cref="MaximumTokenLength"/>
    /// characters, or a character outside visible ASCII, which no header could carry).
    /// </summary>
    internal static (List<byte[]> Hashes, string? Problem) Parse(IDictionary<string, byte[]>? data)
    {
        if (data is null || !data.TryGetValue(Key, out var bytes))
        {
            return ([], $"it has no key '{Key}'");
        }

        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return ([], $"its key '{Key}' is not UTF-8 text");
        }

        var hashes = new List<byte[]>();
        var number = 0;
        foreach (var line in text.Split('\n', StringSplitOptions.TrimEntries))
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            if (line.Length > MaximumTokenLength || line.AsSpan().IndexOfAnyExceptInRange('!', '~') >= 0)
            {
                return ([], $"line {number} of its key '{Key}' is not a token (1 to {MaximumTokenLength} visible ASCII characters)");
            }

            hashes.Add(SHA256.HashData(Encoding.UTF8.GetBytes(line)));
        }

        return hashes.Count == 0 ? ([], $"its key '{Key}' holds no token") : (hashes, null);
    }

    private void Broken(V1Secret secret, string problem)
    {
        var before = Interlocked.Exchange(ref _valid, 0);
        var changed = before != 0 || _problem != problem;
        _problem = problem;
        if (!changed)
        {
            return; // reported when it broke; the gauge and the alert say it lasts
        }

        var kept = Hashes is null
            ? "no good token was ever read, so gateways are refused by the controller and function Deployments keep the hashes they have"
            : "the last good tokens stay in force in the controller and in every function pod";
        LogBroken(_ns, SecretName, problem, kept);
        _events.Warning(About(secret), InvalidReason, $"Secret {_ns}/{SecretName} is not usable: {problem}; {kept}. Put the gateways' token back (one token a line under '{Key}').");
    }

    private IEnumerable<Measurement<int>> ObserveValid() =>
        Volatile.Read(ref _valid) is var valid and >= 0 ? [new Measurement<int>(valid)] : [];

    private V1Secret About(V1Secret secret)
    {
        secret.ApiVersion ??= "v1";
        secret.Kind ??= "Secret";
        secret.Metadata ??= new V1ObjectMeta { Name = SecretName, NamespaceProperty = _ns };
        secret.Metadata.NamespaceProperty ??= _ns;
        return secret;
    }

    private async Task<V1Secret> CreateAsync(CancellationToken cancellationToken)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        try
        {
            var created = await _client.CreateAsync(new V1Secret
            {
                ApiVersion = "v1",
                Kind = "Secret",
                Metadata = new V1ObjectMeta
                {
                    Name = SecretName,
                    NamespaceProperty = _ns,
                    Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "lamina" },
                },
                Type = "Opaque",
                Data = new Dictionary<string, byte[]> { [Key] = Encoding.UTF8.GetBytes(token + "\n") },
            }, cancellationToken).ConfigureAwait(false);
            LogCreated(_ns, SecretName);
            return created;
        }
        catch (KubernetesApiException error) when (error.IsAlreadyExists)
        {
            return await _client.GetAsync<V1Secret>(_ns, SecretName, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "created Secret {Namespace}/{Secret} with a random token for the gateways")]
    private partial void LogCreated(string @namespace, string secret);

    [LoggerMessage(2, LogLevel.Warning, "Secret {Namespace}/{Secret} is not usable ({Problem}): {Kept}")]
    private partial void LogBroken(string @namespace, string secret, string problem, string kept);

    [LoggerMessage(3, LogLevel.Information, "Secret {Namespace}/{Secret} holds usable tokens again")]
    private partial void LogRepaired(string @namespace, string secret);
}
