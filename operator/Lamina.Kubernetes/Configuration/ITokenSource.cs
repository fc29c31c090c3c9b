namespace Lamina.Kubernetes.Configuration;

/// <summary>Supplies the bearer token of each request; a source may change its token over time (rotation).</summary>
public interface ITokenSource
{
    /// <summary>The token to send now.</summary>
    ValueTask<string> GetTokenAsync(CancellationToken cancellationToken);
}
