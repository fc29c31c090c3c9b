using Lamina.Testing;

namespace Lamina.Bench;

/// <summary>
/// The baselines B0 and B1 as processes of this harness: a direct Kestrel hello-world, and one plain
/// YARP hop in front of it, each on a free loopback port. Stopped on dispose.
/// </summary>
internal sealed class KestrelBaselines : IAsyncDisposable
{
    private KestrelBaselines(SupervisedProcess hello, Uri helloUri, SupervisedProcess proxy, Uri proxyUri)
    {
        Hello = hello;
        HelloUri = helloUri;
        Proxy = proxy;
        ProxyUri = proxyUri;
    }

    /// <summary>B0: the Kestrel hello-world.</summary>
    public SupervisedProcess Hello { get; }

    public Uri HelloUri { get; }

    /// <summary>B1: YARP forwarding to <see cref="Hello"/>.</summary>
    public SupervisedProcess Proxy { get; }

    public Uri ProxyUri { get; }

    public static async Task<KestrelBaselines> StartAsync()
    {
        var helloPort = FreePort.Next();
        var hello = SelfProcess.Start("hello", helloPort);
        var helloUri = new Uri($"http://127.0.0.1:{helloPort}/");
        try
        {
            var proxyPort = FreePort.Next();
            var proxy = SelfProcess.Start("proxy", proxyPort, helloUri.ToString());
            return new KestrelBaselines(hello, helloUri, proxy, new Uri($"http://127.0.0.1:{proxyPort}/"));
        }
        catch
        {
            await hello.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync().ConfigureAwait(false);
        await Hello.DisposeAsync().ConfigureAwait(false);
    }
}
