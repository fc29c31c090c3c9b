using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Auth;

/// <summary>Registers authentication: <see cref="IRequestAuthenticator"/> for the Invoke handler, and what keeps it running.</summary>
internal static class GatewayAuthServiceCollectionExtensions
{
    /// <summary>
    /// Authentication configured from <c>Lamina:Gateway:Auth</c> and the command line's
    /// <c>--auth=none|sigv4</c> (the <c>auth</c> key), or <paramref name="authNone"/> when the host
    /// has taken the switch off the command line itself. SigV4 needs an <c>IKubernetesClient</c> registered.
    /// </summary>
    public static IServiceCollection AddGatewayAuth(this IServiceCollection services, IConfiguration configuration, bool authNone = false)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(GatewayAuthOptions.Section);
        return services.AddGatewayAuth(options =>
        {
            section.Bind(options);
            if (configuration[GatewayAuthOptions.Switch] is { Length: > 0 } mode)
            {
                options.Mode = ParseMode(mode);
            }

            if (authNone)
            {
                options.Mode = AuthMode.None;
            }
        });
    }

    /// <summary>Authentication configured in code (tests, or a host that reads settings its own way).</summary>
    public static IServiceCollection AddGatewayAuth(this IServiceCollection services, Action<GatewayAuthOptions> configure)
    {
        services.AddOptions<GatewayAuthOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayAuthOptions>, GatewayAuthOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SecretAccessKeyStore(
            ResolveAccessKeyNamespace(sp.GetRequiredService<IOptions<GatewayAuthOptions>>().Value),
            sp.GetRequiredService<ILogger<SecretAccessKeyStore>>()));
        services.TryAddSingleton<IAccessKeyStore>(sp => sp.GetRequiredService<SecretAccessKeyStore>());
        services.TryAddSingleton<IRequestAuthenticator>(sp =>
            sp.GetRequiredService<IOptions<GatewayAuthOptions>>().Value.Mode == AuthMode.None
                ? ActivatorUtilities.CreateInstance<NoAuthenticator>(sp)
                : ActivatorUtilities.CreateInstance<SigV4Authenticator>(sp));
        services.TryAddSingleton<GatewayAuthService>();
        services.AddHostedService(sp => sp.GetRequiredService<GatewayAuthService>());
        return services;
    }

    /// <summary><c>sigv4</c> or <c>none</c>, in any case.</summary>
    public static AuthMode ParseMode(string value) =>
        Enum.TryParse<AuthMode>(value, ignoreCase: true, out var mode) && Enum.IsDefined(mode)
            ? mode
            : throw new OptionsValidationException(GatewayAuthOptions.Switch, typeof(GatewayAuthOptions), [$"--{GatewayAuthOptions.Switch}={value}: expected 'sigv4' or 'none'"]);

    /// <summary>The configured access key namespace, else the pod's own (POD_NAMESPACE), else <c>lamina-system</c>.</summary>
    public static string ResolveAccessKeyNamespace(GatewayAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.AccessKeyNamespace is { Length: > 0 } configured ? configured
            : Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } pod ? pod
            : GatewayAuthOptions.DefaultAccessKeyNamespace;
    }
}
