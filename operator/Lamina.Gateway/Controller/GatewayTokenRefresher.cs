using System.Text;
using Lamina.Kubernetes.Client;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Controller;

/// <summary>
/// Reads the operator's Secret <see cref="SecretName"/> (in the operator's namespace, where its Lease
/// is) at start and every <see cref="Interval"/>, and keeps its first line in <see cref="GatewayToken"/>.
/// A rotation (docs/concurrency.md) reaches every gateway within the interval.
/// </summary>
internal sealed partial class GatewayTokenRefresher(
    IKubernetesClient client,
    IOptions<ControllerOptions> options,
    GatewayToken token,
    TimeProvider time,
    ILogger<GatewayTokenRefresher> logger) : BackgroundService
{
    public const string SecretName = "lamina-invoke-token";

    public const string Key = "tokens";

    /// <summary>Often enough that a rotation's second step follows its first within a minute; one small GET.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>While the Secret is missing (the operator creates it when it first leads), ask again soon.</summary>
    private static readonly TimeSpan MissingInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var ns = options.Value.LeaseNamespace ?? "default";
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var secret = await client.GetAsync<V1Secret>(ns, SecretName, stoppingToken).ConfigureAwait(false);
                var text = secret.Data?.TryGetValue(Key, out var bytes) == true ? Encoding.UTF8.GetString(bytes) : string.Empty;
                var first = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
                if (first != token.Current)
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

    [LoggerMessage(1, LogLevel.Information, "read the gateway token from Secret {Namespace}/{Secret}")]
    private partial void LogRead(string @namespace, string secret);

    [LoggerMessage(2, LogLevel.Warning, "cannot read the gateway token from Secret {Namespace}/{Secret} (the operator creates it when it leads): {Error}")]
    private partial void LogUnreadable(string @namespace, string secret, string error);
}
