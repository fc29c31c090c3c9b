namespace Lamina.Kubernetes.Configuration;

/// <summary>A token that never changes (a kubeconfig's <c>token</c>).</summary>
public sealed class StaticTokenSource : ITokenSource
{
    private readonly string _token;

    /// <summary>Always answers <paramref name="token"/>.</summary>
    public StaticTokenSource(string token)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        _token = token;
    }

    /// <inheritdoc />
    public ValueTask<string> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_token);
}
