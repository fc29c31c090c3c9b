using System.Net.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lamina.CodeStore;

/// <summary>Registers the code store client.</summary>
public static class CodeStoreServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ICodeStore"/> and its <see cref="CodeStoreOptions"/>, bound from
    /// <paramref name="configuration"/>'s <see cref="CodeStoreOptions.Section"/> when given, then
    /// <paramref name="configure"/>, and validated on start (a host) or on first use (a program
    /// without one: resolving the store throws <see cref="OptionsValidationException"/>).
    /// </summary>
    public static IServiceCollection AddCodeStore(this IServiceCollection services, IConfiguration? configuration = null, Action<CodeStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<CodeStoreOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(CodeStoreOptions.Section));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CodeStoreOptions>, CodeStoreOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICodeStore>(static provider =>
        {
            var settings = provider.GetRequiredService<IOptions<CodeStoreOptions>>().Value;
            var http = CreateHttpClient(settings);
            var registry = new OciRegistryClient(http, settings, new RegistryAuthenticator(http, settings, provider.GetRequiredService<TimeProvider>()));
            return new OciCodeStore(registry, settings, provider.GetRequiredService<ILogger<OciCodeStore>>());
        });
        return services;
    }

    /// <summary>
    /// The store's own HttpClient: no overall timeout (a 250 MB zip takes as long as it takes; each
    /// call's headers have <see cref="CodeStoreOptions.ResponseTimeout"/>), redirects followed (a
    /// registry may send blob reads to its storage; .NET drops the Authorization header on a
    /// redirect, so Lamina's credentials never go there), connections recycled every few minutes
    /// so a registry Service that moves is found again.
    /// </summary>
    internal static HttpClient CreateHttpClient(CodeStoreOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 5,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = options.ResponseTimeout,
        };
        if (options.InsecureSkipTlsVerify)
        {
            // Only on the admin's explicit InsecureSkipTlsVerify (validated: https only), for a registry whose
            // self-signed certificate cannot be added to the image's trust store.
#pragma warning disable CA5359
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = static (_, _, _, _) => true };
#pragma warning restore CA5359
        }

        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
