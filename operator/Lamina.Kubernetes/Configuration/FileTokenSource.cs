namespace Lamina.Kubernetes.Configuration;

/// <summary>
/// A token read from a file and re-read when the file changes or at least every
/// <see cref="RefreshInterval"/>: the kubelet rotates projected service-account tokens in place
/// (an atomic symlink swap), long before they expire, and a client must pick up the new one.
/// </summary>
public sealed class FileTokenSource : ITokenSource
{
    /// <summary>client-go re-reads the service-account token every minute; so do we.</summary>
    public static readonly TimeSpan DefaultRefreshInterval = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private Cached? _cached;

    /// <summary>Reads tokens from <paramref name="path"/>.</summary>
    public FileTokenSource(string path, TimeProvider? timeProvider = null, TimeSpan? refreshInterval = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = path;
        _timeProvider = timeProvider ?? TimeProvider.System;
        RefreshInterval = refreshInterval ?? DefaultRefreshInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RefreshInterval, TimeSpan.Zero, nameof(refreshInterval));
    }

    /// <summary>The token file.</summary>
    public string Path { get; }

    /// <summary>The longest a token is used without re-reading the file.</summary>
    public TimeSpan RefreshInterval { get; }

    /// <inheritdoc />
    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        Cached? cached;
        lock (_gate)
        {
            cached = _cached;
        }

        // A stat per request is cheap next to the request itself, and it picks a rotation up at once.
        var modified = LastWriteTimeUtc();
        if (cached is not null && now - cached.ReadAt < RefreshInterval && modified == cached.Modified)
        {
            return cached.Token;
        }

        string token;
        try
        {
            token = (await File.ReadAllTextAsync(Path, cancellationToken).ConfigureAwait(false)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Mid-rotation the file can be briefly missing: the previous token is still valid for a while.
            return cached?.Token ?? throw new KubernetesConfigurationException($"cannot read the bearer token file {Path}: {e.Message}", e);
        }

        if (token.Length == 0)
        {
            return cached?.Token ?? throw new KubernetesConfigurationException($"the bearer token file {Path} is empty");
        }

        lock (_gate)
        {
            _cached = new Cached(token, now, modified);
        }

        return token;
    }

    private DateTime? LastWriteTimeUtc()
    {
        try
        {
            return File.Exists(Path) ? File.GetLastWriteTimeUtc(Path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private sealed record Cached(string Token, DateTimeOffset ReadAt, DateTime? Modified);
}
