using System.Globalization;

namespace Lamina.RuntimeShim.Execution;

/// <summary>The X-Ray trace header Lambda passes to the runtime when the caller sent none.</summary>
internal static class TraceHeader
{
    /// <summary>A new root trace id, not sampled.</summary>
    public static string NewUnsampled(DateTimeOffset now)
    {
        Span<byte> random = stackalloc byte[12];
        // Not RandomNumberGenerator: that loads OpenSSL, which a function's image need not have.
        Random.Shared.NextBytes(random);
        return string.Create(CultureInfo.InvariantCulture, $"Root=1-{now.ToUnixTimeSeconds():x8}-{Convert.ToHexStringLower(random)};Sampled=0");
    }
}
