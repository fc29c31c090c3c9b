using Lamina.Gateway.Routing;
using StackExchange.Redis;

namespace Lamina.Gateway.Async;

/// <summary>
/// Every Redis key of async invocation. A function's keys share the hash tag <c>{namespace/function}</c>,
/// so on a Redis Cluster they live on one slot and the scripts that move an event between them stay
/// atomic. '/' cannot appear in a Kubernetes name, so it splits the two unambiguously.
/// </summary>
internal static class AsyncKeys
{
    /// <summary>The set of <c>namespace/function</c> members that have (had) a stream: how workers find the streams.</summary>
    public static readonly RedisKey Registry = "lamina:async:functions";

    /// <summary>
    /// The pub/sub channel a gateway announces each stored event on (and a worker each retry it moved
    /// back): idle workers of every replica read at once instead of after their poll interval.
    /// </summary>
    public static readonly RedisChannel Wake = RedisChannel.Literal("lamina:async:wake");

    /// <summary>The consumer group every worker replica joins.</summary>
    public const string Group = "lamina-workers";

    /// <summary>The function's stream of events waiting or running.</summary>
    public static RedisKey Events(FunctionKey function) => $"lamina:async:{{{Member(function)}}}:events";

    /// <summary>The function's sorted set of events waiting for a retry, scored by due time (ms since the epoch).</summary>
    public static RedisKey Delayed(FunctionKey function) => $"lamina:async:{{{Member(function)}}}:delayed";

    /// <summary>The function's dead-letter stream: failed events without an on-failure destination, and undeliverable records.</summary>
    public static RedisKey DeadLetter(FunctionKey function) => $"lamina:async:{{{Member(function)}}}:dead-letter";

    /// <summary>The function's sorted set of request ids not yet in a final state, scored by first enqueue time: the oldest event's age.</summary>
    public static RedisKey Ages(FunctionKey function) => $"lamina:async:{{{Member(function)}}}:ages";

    /// <summary>The function as the registry names it: <c>namespace/function</c>.</summary>
    public static string Member(FunctionKey function) => $"{function.Namespace}/{function.Name}";

    /// <summary>Parses <c>namespace/function</c> (a registry member, or what an operator types).</summary>
    public static bool TryParseMember(string? text, out FunctionKey function)
    {
        function = default;
        if (text is null)
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == text.Length - 1 || text.IndexOf('/', slash + 1) >= 0)
        {
            return false;
        }

        function = new FunctionKey(text[..slash], text[(slash + 1)..]);
        return true;
    }
}
