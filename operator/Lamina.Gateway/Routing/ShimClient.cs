using System.Net;
using System.Net.Http.Headers;
using Lamina.Contracts.Lambda;
using Lamina.Contracts.Shim;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Routing;

/// <summary>
/// Calls one environment's shim through the invoke contract over one pooled, keep-alive
/// <see cref="HttpClient"/> for the whole gateway, and says what the answer means for routing.
/// It never throws for a failed call: every ending is a <see cref="ShimAnswer"/>.
/// </summary>
internal sealed class ShimClient : IDisposable
{
    /// <summary>
    /// Below Kestrel's 130 s keep-alive timeout (the shim's server), so the gateway closes an idle
    /// connection before the shim does and never sends on one the shim is closing.
    /// </summary>
    private static readonly TimeSpan PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The shim never answers with more than Lambda's 6 MB response; this bounds what anything else
    /// at a pod's address could make the gateway buffer.
    /// </summary>
    private const int MaxResultBytes = 8 * 1024 * 1024;

    /// <summary>A rejection is a small Lambda error document.</summary>
    private const int MaxRejectionBytes = 64 * 1024;

    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    private readonly ConcurrencyClient.GatewayToken? _token;

    public ShimClient(IOptions<RoutingOptions> options, TimeProvider time, ConcurrencyClient.GatewayToken token)
        : this(CreateHandler(options?.Value ?? throw new ArgumentNullException(nameof(options))), options.Value.InvocationTimeout, time, token)
    {
    }

    /// <summary>Over any handler (tests wrap one); the client owns and disposes it.</summary>
    internal ShimClient(HttpMessageHandler handler, TimeSpan invocationTimeout, TimeProvider time, ConcurrencyClient.GatewayToken? token = null)
    {
        _token = token;
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(time);
        // The whole call (headers and body) is bounded below, by the invocation timeout on the injected clock.
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _timeout = invocationTimeout;
        _time = time;
    }

    /// <summary>The one handler: a connection pool per shim endpoint, kept alive between invocations.</summary>
    public static SocketsHttpHandler CreateHandler(RoutingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionIdleTimeout = PooledConnectionIdleTimeout,
            // Addresses are pod IPs, never re-resolved: there is no DNS change to pick up by recycling.
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            // Pod IPs are reached directly, whatever HTTP_PROXY says.
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
    }

    /// <summary>
    /// POSTs the invocation to <paramref name="environment"/>. <paramref name="cancellationToken"/>
    /// abandons the call (the gateway stopping); an answer that does not come within the invocation
    /// timeout is <see cref="ShimOutcome.Lost"/>.
    /// </summary>
    public async Task<ShimAnswer> InvokeAsync(FunctionEnvironment environment, ShimRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(request);
        var content = new ShimRequestContent(request.Payload);
        using var message = new HttpRequestMessage(HttpMethod.Post, environment.InvokeUri)
        {
            Content = content,
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        AddHeaders(message.Headers, request);
        if (_token?.Current is { } presented)
        {
            // Only gateways get in: the shim checks this against the hashes the operator gave its pod.
            message.Headers.TryAddWithoutValidation(ShimInvokeContract.Headers.Token, presented);
        }


        using var deadline = new CancellationTokenSource(_timeout, _time);
        using var stopping = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), deadline);
        var token = deadline.Token;
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var detail = Describe(e, token, cancellationToken);
            return content.Started ? ShimAnswer.Lost(detail) : new ShimAnswer(ShimOutcome.NotDelivered, null, detail);
        }

        using (response)
        {
            try
            {
                return await ReadAnswerAsync(response, token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // The answer began but did not arrive whole: the function ran, its result is lost.
                return ShimAnswer.Lost($"the connection failed while the answer was read: {Describe(e, token, cancellationToken)}");
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private static void AddHeaders(HttpRequestHeaders headers, ShimRequest request)
    {
        headers.TryAddWithoutValidation(ShimInvokeContract.Headers.RequestId, request.RequestId);
        headers.TryAddWithoutValidation(ShimInvokeContract.Headers.InvocationType, request.InvocationType);
        if (request.ClientContext is { Length: > 0 } clientContext)
        {
            headers.TryAddWithoutValidation(ShimInvokeContract.Headers.ClientContext, clientContext);
        }

        if (request.TraceId is { Length: > 0 } traceId)
        {
            headers.TryAddWithoutValidation(ShimInvokeContract.Headers.TraceId, traceId);
        }

        if (request.LogTail)
        {
            headers.TryAddWithoutValidation(ShimInvokeContract.Headers.LogType, LambdaInvokeApi.LogTypes.Tail);
        }
    }

    private static async Task<ShimAnswer> ReadAnswerAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = Header(response, ShimInvokeContract.Headers.Status);
        var code = (int)response.StatusCode;
        switch (status)
        {
            case ShimInvokeContract.Statuses.Completed when response.StatusCode == HttpStatusCode.OK:
                var payload = await ReadBodyAsync(response.Content, MaxResultBytes, cancellationToken).ConfigureAwait(false);
                var completed = new RouteResult.Completed(
                    payload,
                    Header(response, ShimInvokeContract.Headers.FunctionError),
                    Header(response, ShimInvokeContract.Headers.LogResult));
                return new ShimAnswer(ShimOutcome.Completed, completed, null);
            case ShimInvokeContract.Statuses.Busy:
                return new ShimAnswer(ShimOutcome.Busy, null, "busy");
            case ShimInvokeContract.Statuses.Unavailable:
                return new ShimAnswer(ShimOutcome.Unavailable, null, "unavailable");
            case ShimInvokeContract.Statuses.Rejected when code is >= 400 and < 500:
                var body = await ReadBodyAsync(response.Content, MaxRejectionBytes, cancellationToken).ConfigureAwait(false);
                var rejected = new RouteResult.Rejected(code, Header(response, LambdaHeaders.ErrorType), body);
                return new ShimAnswer(ShimOutcome.Rejected, rejected, "rejected");
            default:
                // Not the contract (a shim failing inside an invocation answers 500 without a status):
                // whatever happened there, the function may have run.
                return ShimAnswer.Lost($"the environment answered HTTP {code} with {ShimInvokeContract.Headers.Status} '{status}', not the invoke contract");
        }
    }

    /// <summary>The body in one array of its exact length when the length is known (the shim always sends it).</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        var length = content.Headers.ContentLength;
        if (length > limit)
        {
            throw new InvalidDataException($"the answer has {length} bytes, more than the {limit} the contract allows");
        }

        if (length is not { } known)
        {
            await content.LoadIntoBufferAsync(limit, cancellationToken).ConfigureAwait(false);
            return await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }

        if (known == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var buffer = new byte[known];
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        return buffer;
    }

    /// <summary>One header's value without validation or allocation beyond the string itself; null when absent.</summary>
    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;

    private string Describe(Exception error, CancellationToken call, CancellationToken stopping)
    {
        if (call.IsCancellationRequested)
        {
            return stopping.IsCancellationRequested
                ? "the gateway is stopping"
                : $"no answer within {_timeout.TotalSeconds:0} s";
        }

        return error.InnerException is { } inner ? $"{error.Message} ({inner.Message})" : error.Message;
    }
}
