using Grpc.Core;
using Lamina.Concurrency.V1;
using Lamina.Contracts.Concurrency;

namespace Lamina.Operator.Concurrency;

/// <summary>
/// The gRPC side of the controller: one <c>Connect</c> stream per gateway. The reader applies every
/// message to <see cref="ConcurrencyState"/>; the writer sends the session's outbox as soon as it has
/// something, and a heartbeat (which renews the gateway's leases) at least every tick.
/// </summary>
internal sealed partial class ConcurrencyService(ConcurrencyState state, Access.InvokeTokenSecret tokens, ConcurrencyOptions options, ILogger<ConcurrencyService> logger)
    : ConcurrencyController.ConcurrencyControllerBase
{
    /// <summary>The gRPC metadata that carries the gateway's token.</summary>
    public const string TokenHeader = ConcurrencyConnectionContract.TokenMetadata;

    public override async Task Connect(IAsyncStreamReader<GatewayMessage> requestStream, IServerStreamWriter<ControllerMessage> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        if (!await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var first = requestStream.Current;
        if (first.Hello is not { GatewayId.Length: > 0 } hello)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the stream's first message must carry a Hello with a gateway_id"));
        }

        if (!state.Leading)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "this replica is not the concurrency controller's leader: read the Lease again"));
        }

        if (!tokens.Accepts(context.RequestHeaders.GetValue(TokenHeader)))
        {
            LogRefused(context.Peer);
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                $"only Lamina's gateways may connect: present the token of the operator's Secret {Access.InvokeTokenSecret.SecretName} in the '{TokenHeader}' metadata"));
        }

        var session = state.Connect(hello)
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, "this replica is not the concurrency controller's leader: read the Lease again"));
        LogConnected(hello.GatewayId, hello.Held.Count, hello.Pending.Count);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var writer = WriteAsync(session, responseStream, ended);
        try
        {
            first.Hello = null;
            state.Receive(session, first);
            while (await requestStream.MoveNext(ended.Token).ConfigureAwait(false))
            {
                state.Receive(session, requestStream.Current);
            }
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            // The gateway left, or this session was replaced or stopped leading.
        }
        catch (IOException)
        {
            // The connection broke.
        }
        finally
        {
            state.Disconnect(session);
            await ended.CancelAsync().ConfigureAwait(false);
            await writer.ConfigureAwait(false);
            LogDisconnected(hello.GatewayId);
        }

        if (!state.Leading)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "this replica stopped leading: read the Lease again"));
        }
    }

    private async Task WriteAsync(GatewaySession session, IServerStreamWriter<ControllerMessage> responseStream, CancellationTokenSource ended)
    {
        try
        {
            while (!ended.IsCancellationRequested && session.Connected)
            {
                // The first message answers the Hello at once; later ones when there is news, or a tick has passed.
                var message = state.TakeOutbox(session);
                await responseStream.WriteAsync(message, ended.Token).ConfigureAwait(false);
                await session.Signal.WaitAsync(options.Tick, ended.Token).ConfigureAwait(false);
                while (session.Signal.CurrentCount > 0)
                {
                    // Several signals before the writer woke: one message carries them all.
                    await session.Signal.WaitAsync(0, ended.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or RpcException)
        {
            LogWriteFailed(session.GatewayId, e.Message);
        }

        // A replaced or dropped session ends the whole call.
        await ended.CancelAsync().ConfigureAwait(false);
    }

    [LoggerMessage(1, LogLevel.Information, "gateway {Gateway} connected, holding {Held} leases with {Pending} invocations waiting")]
    private partial void LogConnected(string gateway, int held, int pending);

    [LoggerMessage(2, LogLevel.Information, "gateway {Gateway} disconnected")]
    private partial void LogDisconnected(string gateway);

    [LoggerMessage(4, LogLevel.Warning, "refused a stream from {Peer}: no valid gateway token")]
    private partial void LogRefused(string peer);

    [LoggerMessage(3, LogLevel.Warning, "writing to gateway {Gateway} failed: {Error}")]
    private partial void LogWriteFailed(string gateway, string error);
}
