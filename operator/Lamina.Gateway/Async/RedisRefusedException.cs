using StackExchange.Redis;

namespace Lamina.Gateway.Async;

/// <summary>
/// Redis is reachable but refused (its durability settings, <see cref="RedisConnection.Refusal"/>): a
/// <see cref="RedisException"/>, so the workers and loops treat it as Redis failing (they log and try
/// again) and an Event invocation is answered 500, never 202.
/// </summary>
internal sealed class RedisRefusedException(string message) : RedisException(message);
