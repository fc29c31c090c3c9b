using Lamina.Gateway.Invoke;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Hosting;

/// <summary>Kestrel's limits from <see cref="GatewayServerOptions"/>, applied when Kestrel reads its options.</summary>
internal sealed class KestrelLimitsSetup(IOptions<GatewayServerOptions> options) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        var server = options.Value;
        var limits = kestrel.Limits;
        limits.MaxConcurrentConnections = server.MaxConcurrentConnections;
        // An upgraded connection (WebSocket) is no use to the Invoke API.
        limits.MaxConcurrentUpgradedConnections = 0;
        limits.MaxRequestHeadersTotalSize = server.MaxRequestHeadersTotalSize;
        limits.MaxRequestHeaderCount = server.MaxRequestHeaderCount;
        limits.RequestHeadersTimeout = server.RequestHeadersTimeout;
        limits.MinRequestBodyDataRate = new MinDataRate(server.MinRequestBodyDataRate, server.MinRequestBodyGracePeriod);
        limits.KeepAliveTimeout = server.KeepAliveTimeout;
        // Lambda's limit, also where the handler stops reading (Kestrel's default is 30 MB).
        limits.MaxRequestBodySize = InvokeHandler.MaximumPayload;
    }
}
