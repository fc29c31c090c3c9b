using Lamina.Gateway.Routing;

namespace Lamina.Gateway.Tests.Fakes;

/// <summary>
/// Records every invocation it is handed and answers with a scripted <see cref="RouteResult"/>
/// (by default a completed invocation that returns <c>{}</c>). <see cref="OnInvoke"/> runs first, so a
/// test can move its clock (the invocation "takes" that long) or throw.
/// </summary>
internal sealed class RecordingInvocationRouter : IInvocationRouter
{
    private readonly List<RoutedInvocation> _invocations = [];

    public RouteResult Result { get; set; } = new RouteResult.Completed("{}"u8.ToArray(), FunctionError: null, LogResult: null);

    public Action<FunctionKey, ShimRequest, CancellationToken>? OnInvoke { get; set; }

    public IReadOnlyList<RoutedInvocation> Invocations => _invocations;

    /// <summary>The only invocation; fails the test when there is not exactly one.</summary>
    public RoutedInvocation Single => Assert.Single(_invocations);

    public Task<RouteResult> InvokeAsync(FunctionKey function, ShimRequest request, CancellationToken cancellationToken)
    {
        _invocations.Add(new RoutedInvocation(function, request));
        OnInvoke?.Invoke(function, request, cancellationToken);
        return Task.FromResult(Result);
    }
}

/// <summary>One invocation the router was handed.</summary>
internal sealed record RoutedInvocation(FunctionKey Function, ShimRequest Request);
