using Lamina.Gateway.Code;

namespace Lamina.Gateway.Tests.Code;

/// <summary>An API server's TokenReview as a table: a known token is its user, any other is refused; it can be made to fail.</summary>
internal sealed class FakeTokenReviewer : ITokenReviewer
{
    private readonly Dictionary<string, ReviewedToken> _tokens = new(StringComparer.Ordinal);
    private int _reviews;

    public int Reviews => Volatile.Read(ref _reviews);

    /// <summary>When set, every review throws it (the API server down, a Role without the rule).</summary>
    public Exception? Failure { get; set; }

    public FakeTokenReviewer With(string token, ReviewedToken reviewed)
    {
        _tokens[token] = reviewed;
        return this;
    }

    public Task<ReviewedToken?> ReviewAsync(string token, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reviews);
        cancellationToken.ThrowIfCancellationRequested();
        if (Failure is not null)
        {
            throw Failure;
        }

        return Task.FromResult(_tokens.GetValueOrDefault(token));
    }
}
