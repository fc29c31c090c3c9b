namespace Lamina.Gateway.Routing;

/// <summary>Runs an invocation on an idle environment of the function, waiting in a bounded queue when none is.</summary>
internal interface IInvocationRouter
{
    Task<RouteResult> InvokeAsync(FunctionKey function, ShimRequest request, CancellationToken cancellationToken);
}
