using System.Diagnostics.Metrics;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Informers;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Auth;

/// <summary>
/// Keeps authentication running: with SigV4, an informer of the labelled access key Secrets feeding
/// <see cref="SecretAccessKeyStore"/>; with <c>--auth=none</c>, a loud warning at start.
/// <see cref="Ready"/> says when requests can be authenticated (every key listed once).
/// </summary>
internal sealed partial class GatewayAuthService : BackgroundService
{
    private readonly IServiceProvider _services;
    private readonly GatewayAuthOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private volatile bool _ready;

    public GatewayAuthService(IServiceProvider services, IOptions<GatewayAuthOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        _services = services;
        _options = options.Value;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<GatewayAuthService>();
    }

    /// <summary>True once the access keys are loaded (at once with <c>--auth=none</c>); until then every SigV4 caller would be unrecognised.</summary>
    public bool Ready => _ready;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Mode == AuthMode.None)
        {
            LogAuthenticationOff(_options.AnonymousDefaultNamespace);
            _ready = true;
            return;
        }

        var store = _services.GetRequiredService<SecretAccessKeyStore>();
        var keyNamespace = GatewayAuthServiceCollectionExtensions.ResolveAccessKeyNamespace(_options);
        var informer = new Informer<V1Secret>(
            _services.GetRequiredService<IKubernetesClient>(),
            new InformerOptions
            {
                Namespace = _options.AllNamespaces ? null : keyNamespace,
                LabelSelector = AccessKeySecret.LabelSelector,
                Transform = InformerTransforms.StripManagedFields,
            },
            _time,
            _loggers.CreateLogger<Informer<V1Secret>>(),
            _services.GetService<IMeterFactory>());
        informer.AddHandler(store);
        var running = informer.RunAsync(stoppingToken);
        try
        {
            await informer.WaitForSyncAsync(stoppingToken).ConfigureAwait(false);
            _ready = true;
            LogKeysLoaded(store.Count, _options.AllNamespaces ? "every namespace" : keyNamespace);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped before the first list.
        }

        await running.ConfigureAwait(false);
    }
}
