using Lamina.CodeStore;
using Lamina.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Lamina.Integration.Tests.CodeStore;

/// <summary>One real docker-registry per test class (<see cref="RegistryServer"/>), and code store clients for it.</summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    private readonly List<ServiceProvider> _providers = [];

    public RegistryServer Registry { get; private set; } = null!;

    public async Task InitializeAsync() => Registry = await RegistryServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        await Registry.DisposeAsync();
    }

    /// <summary>A store as Lamina's programs compose it, with the registry's credentials unless <paramref name="configure"/> changes them.</summary>
    public ICodeStore Store(Action<CodeStoreOptions>? configure = null) => Store(Registry, configure, _providers);

    /// <summary>The registry's own client, for what the store does not offer (a raw upload, a manifest read).</summary>
    internal OciRegistryClient Client() => Client(Registry);

    internal static ICodeStore Store(RegistryServer registry, Action<CodeStoreOptions>? configure, List<ServiceProvider> providers)
    {
        var provider = new ServiceCollection()
            .AddLogging()
            .AddCodeStore(configure: o =>
            {
                o.Url = registry.Url.ToString();
                o.Username = registry.Username;
                o.PasswordFile = registry.PasswordFile;
                configure?.Invoke(o);
            })
            .BuildServiceProvider();
        providers.Add(provider);
        return provider.GetRequiredService<ICodeStore>();
    }

    internal static OciRegistryClient Client(RegistryServer registry)
    {
        var options = new CodeStoreOptions { Url = registry.Url.ToString(), Username = registry.Username, PasswordFile = registry.PasswordFile };
        var http = CodeStoreServiceCollectionExtensions.CreateHttpClient(options);
        return new OciRegistryClient(http, options, new RegistryAuthenticator(http, options, TimeProvider.System));
    }
}
