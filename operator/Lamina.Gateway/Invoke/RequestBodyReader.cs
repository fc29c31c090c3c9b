namespace Lamina.Gateway.Invoke;

/// <summary>
/// Reads a request body into a pooled <see cref="RequestBody"/> as its bytes arrive, up to a limit
/// and within the <see cref="BodyBudget"/>. What the client claims (Content-Length) only refuses a
/// body over the limit before it is read, and caps the first buffer: a client that claims 6 MB and
/// sends ten bytes makes the gateway hold ten bytes' worth, not six megabytes.
/// </summary>
internal sealed class RequestBodyReader(BodyBudget budget)
{
    /// <summary>
    /// The first buffer when the length is not known or is larger: most invocation payloads are a
    /// few hundred bytes to a few KiB, so one buffer holds them, and a larger body doubles it as it
    /// comes (about as many bytes copied as the body has, in ten steps for 6 MB).
    /// </summary>
    private const int FirstBuffer = 16 * 1024;

    public BodyBudget Budget => budget;

    /// <summary>
    /// The body, when <see cref="BodyReadStatus.Read"/> (dispose it after use); on any other status
    /// nothing is held. Read failures (the client went away, a malformed chunk) are thrown.
    /// </summary>
    public async ValueTask<(BodyReadStatus Status, RequestBody? Body)> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var declared = request.ContentLength;
        if (declared > limit)
        {
            return (BodyReadStatus.TooLarge, null);
        }

        if (declared == 0)
        {
            return (BodyReadStatus.Read, RequestBody.Empty);
        }

        var body = new RequestBody(budget);
        try
        {
            if (!body.TryGrow(declared is { } length ? (int)Math.Min(length, FirstBuffer) : FirstBuffer))
            {
                return Refuse(body);
            }

            while (true)
            {
                if (body.Length == declared)
                {
                    // Kestrel ends a Content-Length body there: no read needed to see its end.
                    return (BodyReadStatus.Read, body);
                }

                if (body.Free.Length == 0)
                {
                    // Grow as bytes arrive: double, up to the claim, or past the limit by a byte to see a body over it.
                    var next = (int)Math.Min((long)body.Length * 2, declared ?? (long)limit + 1);
                    if (!body.TryGrow(next))
                    {
                        return Refuse(body);
                    }
                }

                int read;
                try
                {
                    read = await request.Body.ReadAsync(body.Free, cancellationToken).ConfigureAwait(false);
                }
                catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    // Kestrel's own limit (the same as ours) stopped a body of unknown length.
                    body.Dispose();
                    return (BodyReadStatus.TooLarge, null);
                }

                if (read == 0)
                {
                    // Shorter than its Content-Length: Kestrel reports a connection cut mid-body so, a test stream ends.
                    return declared is null ? (BodyReadStatus.Read, body) : throw new EndOfStreamException($"the body ended after {body.Length} of the {declared} bytes its Content-Length announced");
                }

                body.Advance(read);
                if (body.Length > limit)
                {
                    body.Dispose();
                    return (BodyReadStatus.TooLarge, null);
                }
            }
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the body to its end without keeping it, into <paramref name="sha256"/>'s hash, through
    /// one small buffer: a request refused for what its headers say still has its signature checked
    /// (so the refusal tells nothing to a client without the key's secret), at no memory per byte.
    /// </summary>
    public async ValueTask<BodyReadStatus> HashAsync(HttpRequest request, int limit, Memory<byte> sha256, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > limit)
        {
            return BodyReadStatus.TooLarge;
        }

        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        if (request.ContentLength != 0)
        {
            using var chunk = new RequestBody(budget);
            if (!chunk.TryGrow(FirstBuffer))
            {
                budget.Refused();
                return BodyReadStatus.OverBudget;
            }

            long total = 0;
            var declared = request.ContentLength;
            while (total != declared)
            {
                int read;
                try
                {
                    read = await request.Body.ReadAsync(chunk.Free, cancellationToken).ConfigureAwait(false);
                }
                catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    return BodyReadStatus.TooLarge;
                }

                if (read == 0)
                {
                    if (declared is not null)
                    {
                        throw new EndOfStreamException($"the body ended after {total} of the {declared} bytes its Content-Length announced");
                    }

                    break;
                }

                total += read;
                if (total > limit)
                {
                    return BodyReadStatus.TooLarge;
                }

                hash.AppendData(chunk.Free.Span[..read]);
            }
        }

        hash.GetHashAndReset(sha256.Span);
        return BodyReadStatus.Read;
    }

    private (BodyReadStatus, RequestBody?) Refuse(RequestBody body)
    {
        body.Dispose();
        budget.Refused();
        return (BodyReadStatus.OverBudget, null);
    }
}
