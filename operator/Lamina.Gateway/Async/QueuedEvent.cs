using Lamina.Gateway.Routing;
using StackExchange.Redis;

namespace Lamina.Gateway.Async;

/// <summary>A stream entry a worker read or claimed: the event, or null when its fields are not one (<see cref="Fields"/> keeps them).</summary>
internal sealed record QueuedEvent(FunctionKey Function, RedisValue Id, AsyncEvent? Event, NameValueEntry[] Fields)
{
    public static QueuedEvent From(FunctionKey function, StreamEntry entry) => new(function, entry.Id, AsyncEventFields.Parse(entry.Values), entry.Values);
}
