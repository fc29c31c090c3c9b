using Lamina.CodeStore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Code;

/// <summary>
/// The code endpoint's place in the gateway host: its own Kestrel listener (<see cref="CodeEndpointOptions.Url"/>),
/// its services, and a branch that gives every request on that port to <see cref="CodeEndpointHandler"/>
/// and nothing else, so neither the Invoke API nor /metrics is reachable there and the code path
/// is not reachable on the Invoke API's port.
/// </summary>
internal static class CodeEndpointHosting
{
    /// <summary>
    /// Adds the code listener to the host's URLs and registers the endpoint's services, with the code
    /// store as its <see cref="ICodeBlobSource"/> when <c>Lamina:CodeStore:Url</c> is set (without
    /// one, the endpoint answers 503 to everything: it fails closed).
    /// </summary>
    public static void AddCodeEndpoint(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(CodeEndpointOptions.Section);
        var url = section[nameof(CodeEndpointOptions.Url)] ?? new CodeEndpointOptions().Url;
        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        builder.WebHost.UseUrls(string.IsNullOrEmpty(urls) ? url : $"{urls};{url}");

        var services = builder.Services;
        services.AddOptions<CodeEndpointOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CodeEndpointOptions>, CodeEndpointOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CodeMetrics>();
        services.TryAddSingleton<ITokenReviewer, KubernetesTokenReviewer>();
        services.TryAddSingleton<CodeFetchAuthorizer>();
        services.TryAddSingleton<CodeEndpointHandler>();
        if (builder.Configuration.GetSection(CodeStoreOptions.Section)[nameof(CodeStoreOptions.Url)] is { Length: > 0 })
        {
            services.AddCodeStore(builder.Configuration);
            services.TryAddSingleton<ICodeBlobSource, CodeStoreBlobSource>();
        }
    }

    /// <summary>Sends every request that arrived on the code listener's port to the code endpoint.</summary>
    public static void MapCodeEndpoint(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var port = CodeEndpointOptionsValidator.PortOf(app.Services.GetRequiredService<IOptions<CodeEndpointOptions>>().Value.Url)
            ?? throw new InvalidOperationException($"{CodeEndpointOptions.Section}:Url has no port");
        var handler = app.Services.GetRequiredService<CodeEndpointHandler>();
        app.MapWhen(context => context.Connection.LocalPort == port, branch => branch.Run(handler.HandleAsync));
    }
}
