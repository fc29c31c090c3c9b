using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Lamina.Operator.Concurrency;

/// <summary>Where the controller's gRPC service meets a web host: its own port, HTTP/2 only (plaintext, h2c).</summary>
internal static class ConcurrencyEndpoints
{
    /// <summary>Listens on <paramref name="url"/> (http://host:port) with HTTP/2 only.</summary>
    public static void ListenGrpc(KestrelServerOptions kestrel, string url)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        Listen(kestrel, url, HttpProtocols.Http2);
    }

    /// <summary>Listens on <paramref name="url"/> with <paramref name="protocols"/>; host names 0.0.0.0, *, + and [::] mean any address, localhost the loopback.</summary>
    public static void Listen(KestrelServerOptions kestrel, string url, HttpProtocols protocols)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        var uri = ParseUrl(url);
        var host = uri.Host.Trim('[', ']');
        if (host is "0.0.0.0" or "*" or "+" or "::")
        {
            kestrel.ListenAnyIP(uri.Port, listen => listen.Protocols = protocols);
        }
        else if (host == "localhost")
        {
            kestrel.ListenLocalhost(uri.Port, listen => listen.Protocols = protocols);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(host), uri.Port, listen => listen.Protocols = protocols);
        }
    }

    /// <summary>The address gateways dial: configured, else the pod's IP (POD_IP) with the gRPC port, else the bind URL.</summary>
    public static string Advertised(ConcurrencyOptions options) => Advertised(options, Environment.GetEnvironmentVariable("POD_IP"));

    /// <inheritdoc cref="Advertised(ConcurrencyOptions)" />
    internal static string Advertised(ConcurrencyOptions options, string? podIp)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.AdvertisedAddress is { Length: > 0 } configured)
        {
            return configured;
        }

        var bind = ParseUrl(options.GrpcUrl);
        if (podIp is not { Length: > 0 })
        {
            return bind.GetLeftPart(UriPartial.Authority);
        }

        // An IPv6 pod IP goes in brackets, or the URL's port could not be told from the address.
        var host = IPAddress.TryParse(podIp, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{podIp}]"
            : podIp;
        return $"http://{host}:{bind.Port}";
    }

    private static Uri ParseUrl(string url)
    {
        // Kestrel's wildcards are not valid URI hosts.
        var normalised = url.Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal);
        return Uri.TryCreate(normalised, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp
            ? uri
            : throw new ArgumentException($"'{url}' is not an http://host:port URL", nameof(url));
    }
}
