using System.Diagnostics.Metrics;
using Lamina.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Invoke;

/// <summary>
/// The bytes of request bodies the gateway holds at once, across every request
/// (<see cref="GatewayServerOptions.BodyBufferBudgetBytes"/>): a body's buffer is taken from it before
/// it is allocated, so whatever callers send, the gateway's buffers stay within it, and a request
/// that would pass it is refused (429) rather than the gateway killed for its memory.
/// </summary>
internal sealed class BodyBudget
{
    public const string MeterName = "Lamina.Gateway.Server";

    private readonly Counter<long>? _refusals;
    private long _held;

    public BodyBudget(IOptions<GatewayServerOptions> options, IMeterFactory meterFactory)
        : this(options.Value.BodyBufferBudgetBytes, meterFactory)
    {
    }

    /// <param name="capacity">The budget in bytes.</param>
    /// <param name="meterFactory">Where its series go; none (tests of other concerns): no series.</param>
    internal BodyBudget(long capacity, IMeterFactory? meterFactory)
    {
        Capacity = capacity;
        if (meterFactory is null)
        {
            return;
        }

        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("lamina_gateway_body_buffer_bytes", () => Held, unit: "By",
            description: "Bytes of request bodies this gateway replica holds in buffers now (bounded by its body buffer budget).");
        _refusals = meter.CreateCounter<long>("lamina_gateway_body_buffer_refusals_total",
            description: "Requests refused with 429 because buffering their body would pass the replica's body buffer budget.");
    }

    public long Capacity { get; }

    /// <summary>Bytes taken now.</summary>
    public long Held => Volatile.Read(ref _held);

    /// <summary>Takes <paramref name="bytes"/> when the budget has them; false (and counted) when it does not.</summary>
    public bool TryTake(long bytes)
    {
        var held = Volatile.Read(ref _held);
        while (true)
        {
            if (held + bytes > Capacity)
            {
                return false;
            }

            var seen = Interlocked.CompareExchange(ref _held, held + bytes, held);
            if (seen == held)
            {
                return true;
            }

            held = seen;
        }
    }

    /// <summary>Gives back what <see cref="TryTake"/> took.</summary>
    public void Give(long bytes) => Interlocked.Add(ref _held, -bytes);

    /// <summary>A request was refused because the budget was spent.</summary>
    public void Refused() => _refusals?.Add(1);
}
