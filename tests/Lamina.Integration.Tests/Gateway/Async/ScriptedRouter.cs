using System.Collections.Concurrent;
using Lamina.Gateway.Routing;

namespace Lamina.Integration.Tests.Gateway.Async;

/// <summary>
/// Stands in for the gateway's router (the pool, the controller, the shims): records every invocation
/// the async workers hand it and answers as <see cref="Behaviour"/> says (by default, success with <c>{}</c>).
/// </summary>
internal sealed class ScriptedRouter : IInvocationRouter
{
    private readonly ConcurrentQueue<RoutedCall> _calls = new();

    public Func<FunctionKey, ShimRequest, CancellationToken, Task<RouteResult>> Behaviour { get; set; } =
        static (_, _, _) => Task.FromResult<RouteResult>(new RouteResult.Completed("{}"u8.ToArray(), FunctionError: null, LogResult: null));

    public IReadOnlyList<RoutedCall> Calls => [.. _calls];

    public IReadOnlyList<RoutedCall> CallsOf(string function) => [.. _calls.Where(c => c.Function.Name == function)];

    public async Task<RouteResult> InvokeAsync(FunctionKey function, ShimRequest request, CancellationToken cancellationToken)
    {
        _calls.Enqueue(new RoutedCall(function, request, DateTimeOffset.UtcNow));
        return await Behaviour(function, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A function that fails every time, as the shim reports an unhandled error.</summary>
    public static Task<RouteResult> Fail(FunctionKey function, ShimRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<RouteResult>(new RouteResult.Completed("""{"errorMessage":"boom","errorType":"Error"}"""u8.ToArray(), "Unhandled", LogResult: null));

    /// <summary>A function that succeeds every time.</summary>
    public static Task<RouteResult> Succeed(FunctionKey function, ShimRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<RouteResult>(new RouteResult.Completed("""{"ok":true}"""u8.ToArray(), FunctionError: null, LogResult: null));
}

/// <summary>One invocation the router was handed, and when.</summary>
internal sealed record RoutedCall(FunctionKey Function, ShimRequest Request, DateTimeOffset At);
