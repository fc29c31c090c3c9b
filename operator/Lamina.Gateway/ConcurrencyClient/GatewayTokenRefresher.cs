using System.Text;
using Lamina.Contracts.Tokens;
using Lamina.Kubernetes.Client;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.ConcurrencyClient;

/// <summary>
/// Reads the operator's Secret <see cref="SecretName"/> (in the operator's namespace, where its Lease
/// is) at start and every <see cref="Interval"/>, and keeps its first line in <see cref="GatewayToken"/>.
/// A rotation (docs/concurrency.md) reaches every gateway within the interval.
/// </summary>
internal sealed partial class GatewayTokenRefresher(
    IKubernetesClient client,
    IOptions<ConcurrencyClientOptions> options,
    GatewayToken token,
    TimeProvider time,
    ILogger<GatewayTokenRefresher> logger) : BackgroundService
{
    public const string SecretName = InvokeTokenSecretContract.SecretName;

    public const string Key = InvokeTokenSecretContract.Key;

    /// <summary>Often enough that a rotation's second step follows its first within a minute; one small GET.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>While the Secret is missing (the operator creates it when it first leads), ask again soon.</summary>
    private static readonly TimeSpan MissingInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await RefreshAsync(stoppingToken).ConfigureAwait(false);

            try
            {
                await Task.Delay(token.Current is null ? MissingInterval : Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>
    /// One read of the Secret. A Secret with no token (emptied, its key removed) keeps the token this
    /// gateway already holds: the operator keeps the last good hashes in every function pod and in the
    /// controller's check, so the old token still gets in, and dropping it would stop all traffic.
    /// </summary>
    internal async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var ns = options.Value.LeaseNamespace ?? "default";
        try
        {
            var secret = await client.GetAsync<V1Secret>(ns, SecretName, cancellationToken).ConfigureAwait(false);
            var text = secret.Data?.TryGetValue(Key, out var bytes) == true ? Encoding.UTF8.GetString(bytes) : string.Empty;
            var first = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
            if (first is null)
            {
                LogNoToken(ns, SecretName, token.Current is null ? "none yet" : "keeps the one it holds");
            }
            else if (first != token.Current)
            {
                token.Current = first;
                LogRead(ns, SecretName);
            }
        }
        catch (KubernetesApiException error)
        {
            LogUnreadable(ns, SecretName, error.Message);
        }
        catch (HttpRequestException error)
        {
            LogUnreadable(ns, SecretName, error.Message);
        }
    }

    [LoggerMessage(3, LogLevel.Warning, "Secret {Namespace}/{Secret} holds no token (the operator reports it): this gateway {Outcome}")]
    private partial void LogNoToken(string @namespace, string secret, string outcome);

    [LoggerMessage(1, LogLevel.Information, "read the gateway token from Secret {Namespace}/{Secret}")]
    private partial void LogRead(string @namespace, string secret);

    [LoggerMessage(2, LogLevel.Warning, "cannot read the gateway token from Secret {Namespace}/{Secret} (the operator creates it when it leads): {Error}")]
    private partial void LogUnreadable(string @namespace, string secret, string error);
}
