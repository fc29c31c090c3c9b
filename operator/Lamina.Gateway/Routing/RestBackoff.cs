namespace Lamina.Gateway.Routing;

/// <summary>
/// How long an environment that answered busy rests before it is offered again:
/// <see cref="RoutingOptions.RetryDelay"/>, doubled for each busy answer in a row after the first,
/// at most <see cref="RoutingOptions.MaxRetryDelay"/>.
/// </summary>
internal readonly record struct RestBackoff(TimeSpan First, TimeSpan Max)
{
    public static RestBackoff From(RoutingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new RestBackoff(options.RetryDelay, options.MaxRetryDelay);
    }

    /// <summary>The rest after <paramref name="refusals"/> busy answers in a row (1 for the first).</summary>
    public TimeSpan For(int refusals)
    {
        var delay = First;
        for (var i = 1; i < refusals && delay < Max; i++)
        {
            delay += delay;
        }

        return delay < Max ? delay : Max;
    }
}
