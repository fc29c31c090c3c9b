using System.Security.Cryptography;
using Grpc.Core;
using Grpc.Net.Client;
using Lamina.Concurrency.V1;
using Lamina.Contracts.Concurrency;
using Lamina.Gateway.Routing;
using Microsoft.Extensions.Options;

namespace Lamina.Gateway.ConcurrencyClient;

/// <summary>
/// The gateway's one stream to the concurrency controller (operator/Lamina.Operator/Protos/concurrency.proto),
/// for as long as the gateway runs. Each stream: find the leader (<see cref="ConcurrencyClientOptions.Address"/>,
/// else <see cref="LeaderDiscovery"/>), open <c>Connect</c>, say Hello with the leases held and the
/// tickets still waiting, then at once apply what the controller sends to the router and send what
/// the router queued in the <see cref="ConcurrencyOutbox"/>, with every function's demand each
/// <see cref="ConcurrencyClientOptions.DemandInterval"/>. When the stream fails or ends, it waits
/// <see cref="ConcurrencyClientOptions.ReconnectDelay"/> (doubling while attempts fail) and starts again.
/// <para>
/// Leases outlive a stream: the controller keeps them for its lease TTL, and so does the gateway,
/// counting from the last message it heard. Past that, every lease is dropped; waiting invocations
/// keep waiting, and their tickets go in the next Hello.
/// </para>
/// </summary>
internal sealed partial class ConcurrencyConnection : BackgroundService
{
    /// <summary>Until the controller says otherwise (each message carries it): its default LeaseTtl.</summary>
    private static readonly TimeSpan DefaultLeaseTtl = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The controller sends something at least once a second, so this long without a word means the
    /// stream is dead even though the connection looks open (a leader's node gone without a reset).
    /// The stream has no deadline (it lasts as long as the process); this is what bounds it.
    /// </summary>
    private static readonly TimeSpan StreamSilence = TimeSpan.FromSeconds(5);

    private readonly ILeaseHolder _leases;
    private readonly ConcurrencyOutbox _outbox;
    private readonly LeaderDiscovery _discovery;
    private readonly ConcurrencyClientOptions _options;
    private readonly Uri? _address;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();

    // Under _gate.
    private bool _heard;
    private long _lastMessage;
    private long _messages;
    private TimeSpan _leaseTtl = DefaultLeaseTtl;
    private bool _leasesDropped;
    private bool _connected;
    private CancellationTokenSource? _stream;
    private long _streamHeard;

    private readonly GatewayToken? _token;

    public ConcurrencyConnection(
        ILeaseHolder leases,
        ConcurrencyOutbox outbox,
        LeaderDiscovery discovery,
        IOptions<ConcurrencyClientOptions> options,
        TimeProvider time,
        ILogger<ConcurrencyConnection> logger,
        GatewayToken? token = null)
    {
        _token = token;
        ArgumentNullException.ThrowIfNull(leases);
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(discovery);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _leases = leases;
        _outbox = outbox;
        _discovery = discovery;
        _options = options.Value;
        _address = Uri.TryCreate(_options.Address, UriKind.Absolute, out var address) ? address : null; // validated on start
        _time = time;
        _logger = logger;
        GatewayId = NewGatewayId();
    }

    /// <summary>This process's name at the controller, the same across reconnects: <c>&lt;POD_NAME or machine name&gt;_&lt;random hex&gt;</c>.</summary>
    public string GatewayId { get; }

    /// <summary>The controller has spoken on the current stream.</summary>
    public bool Connected
    {
        get { lock (_gate) { return _connected; } }
    }

    /// <summary>
    /// For /readyz: connected now, or the leases are still valid (the last message is within the
    /// lease TTL), so warm invocations flow while the controller fails over. Not before the first
    /// message from a controller.
    /// </summary>
    public bool Ready
    {
        get
        {
            lock (_gate)
            {
                return _connected || (_heard && !_leasesDropped && _time.GetElapsedTime(_lastMessage) <= _leaseTtl);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var tick = _time.CreateTimer(static state => ((ConcurrencyConnection)state!).Tick(), this, _options.DemandInterval, _options.DemandInterval);
        GrpcChannel? channel = null;
        Uri? channelAddress = null;
        var delay = _options.ReconnectDelay;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var heard = Messages;
                Uri? address = null;
                try
                {
                    address = _address ?? await _discovery.FindAsync(stoppingToken).ConfigureAwait(false);
                    if (_token is { Current: null })
                    {
                        // The controller refuses a gateway without the operator's token: wait for it.
                        address = null;
                    }

                    if (address is not null)
                    {
                        if (channel is null || address != channelAddress)
                        {
                            channel?.Dispose();
                            channel = CreateChannel(address);
                            channelAddress = address;
                        }

                        LogConnecting(address);
                        await RunStreamAsync(channel, stoppingToken).ConfigureAwait(false);
                        LogStreamEnded(address);
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (RpcException error) when (error.StatusCode == StatusCode.FailedPrecondition)
                {
                    LogNotLeader(address!, error.Status.Detail);
                }
                catch (Exception error) when (!stoppingToken.IsCancellationRequested)
                {
                    LogStreamFailed(address?.ToString() ?? "(discovery)", error.Message);
                }

                if (Messages != heard)
                {
                    delay = _options.ReconnectDelay; // the stream worked: the next failure starts the backoff again
                }

                try
                {
                    await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                delay = delay * 2 < _options.MaxReconnectDelay ? delay * 2 : _options.MaxReconnectDelay;
            }
        }
        finally
        {
            channel?.Dispose();
        }
    }

    private long Messages
    {
        get { lock (_gate) { return _messages; } }
    }

    private static string NewGatewayId()
    {
        var name = Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : Environment.MachineName;
        return $"{name}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
    }

    /// <summary>One channel per controller address: plaintext HTTP/2 (the address is http://), connections reused across streams.</summary>
    private GrpcChannel CreateChannel(Uri address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            ConnectTimeout = _options.ConnectTimeout,
            // A pod IP, reached directly whatever HTTP_PROXY says.
            UseProxy = false,
            AllowAutoRedirect = false,
        },
        DisposeHttpClient = true,
    });

    /// <summary>One stream, from Hello until it fails or the controller ends it.</summary>
    private async Task RunStreamAsync(GrpcChannel channel, CancellationToken stoppingToken)
    {
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        lock (_gate)
        {
            _stream = stream;
            _streamHeard = _time.GetTimestamp();
        }

        try
        {
            // Open first, then read the leases and tickets: each ticket is in the Hello or queued after it.
            _outbox.Open();
            var client = new ConcurrencyController.ConcurrencyControllerClient(channel);
            // The controller takes streams only from gateways that present the operator's token.
            var headers = _token?.Current is { } presented ? new Grpc.Core.Metadata { { ConcurrencyConnectionContract.TokenMetadata, presented } } : null;
            using var call = client.Connect(headers, cancellationToken: stream.Token);
            var hello = new Hello { GatewayId = GatewayId };
            hello.Held.AddRange(_leases.HeldLeases());
            hello.Pending.AddRange(_leases.PendingTickets());
            await call.RequestStream.WriteAsync(new GatewayMessage { Hello = hello }, stream.Token).ConfigureAwait(false);
            var announced = new HashSet<ulong>();
            foreach (var acquire in hello.Pending)
            {
                announced.Add(acquire.Ticket);
            }

            var reading = ReadAsync(call.ResponseStream, stream.Token);
            var writing = WriteAsync(call.RequestStream, announced, stream.Token);
            var first = await Task.WhenAny(reading, writing).ConfigureAwait(false);
            await stream.CancelAsync().ConfigureAwait(false);
            try
            {
                await (first == reading ? writing : reading).ConfigureAwait(false);
            }
            catch (Exception) when (stream.IsCancellationRequested)
            {
                // Stopped because the other half ended.
            }

            await first.ConfigureAwait(false); // the reason the stream ended, if it failed
        }
        finally
        {
            _outbox.Close();
            lock (_gate)
            {
                _stream = null;
                _connected = false;
            }
        }
    }

    private async Task ReadAsync(IAsyncStreamReader<ControllerMessage> responses, CancellationToken cancellationToken)
    {
        while (await responses.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            Apply(responses.Current);
        }
    }

    /// <summary>Sends whatever is queued as one message each time; an acquire the Hello carried is not sent again.</summary>
    private async Task WriteAsync(IClientStreamWriter<GatewayMessage> requests, HashSet<ulong> announced, CancellationToken cancellationToken)
    {
        var reader = _outbox.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var message = new GatewayMessage();
            var demand = false;
            var taken = 0;
            while (reader.TryRead(out var item))
            {
                taken++;
                switch (item.Kind)
                {
                    case OutboxItemKind.Acquire when !announced.Remove(item.Ticket):
                        message.Acquires.Add(new Acquire { Ticket = item.Ticket, Function = item.Function.ToRef() });
                        break;
                    case OutboxItemKind.Cancel:
                        message.Cancels.Add(item.Ticket);
                        break;
                    case OutboxItemKind.Release:
                        message.Releases.Add(item.LeaseId);
                        break;
                    case OutboxItemKind.Reclaimed:
                        message.Reclaimed.Add(item.Reclaimed);
                        break;
                    case OutboxItemKind.Demand:
                        demand = true;
                        break;
                }
            }

            if (demand)
            {
                // Sent even when empty: it is also this gateway's heartbeat.
                message.Demand.AddRange(_leases.TakeDemand());
            }
            else if (message.Acquires.Count + message.Cancels.Count + message.Releases.Count + message.Reclaimed.Count == 0)
            {
                _outbox.Delivered(taken);
                continue;
            }

            await requests.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            _outbox.Delivered(taken);
        }
    }

    private void Apply(ControllerMessage message)
    {
        bool first;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            _heard = true;
            _lastMessage = now;
            _streamHeard = now;
            _messages++;
            _leasesDropped = false;
            if (message.LeaseTtlMs > 0)
            {
                _leaseTtl = TimeSpan.FromMilliseconds(message.LeaseTtlMs);
            }

            first = !_connected;
            _connected = true;
        }

        if (first)
        {
            LogConnected(GatewayId);
        }

        foreach (var grant in message.Grants)
        {
            if (grant.Lease is { } lease)
            {
                _leases.Grant(grant.Ticket, lease);
            }
        }

        foreach (var refusal in message.Refusals)
        {
            _leases.Refuse(refusal.Ticket, refusal.Reason, refusal.Message);
        }

        foreach (var leaseId in message.Revokes)
        {
            _leases.Revoke(leaseId);
        }

        foreach (var reclaim in message.Reclaims)
        {
            _outbox.Reclaimed(_leases.Reclaim(reclaim.Round, FunctionKey.Of(reclaim.Function), reclaim.Count));
        }
    }

    /// <summary>Each demand interval: drop leases past their TTL, end a silent stream, and have demand sent.</summary>
    private void Tick()
    {
        var expired = false;
        CancellationTokenSource? silent = null;
        bool connected;
        TimeSpan ttl;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            ttl = _leaseTtl;
            if (_heard && !_leasesDropped && _time.GetElapsedTime(_lastMessage, now) > ttl)
            {
                _leasesDropped = true;
                expired = true;
            }

            if (_stream is { } stream && _time.GetElapsedTime(_streamHeard, now) > StreamSilence)
            {
                silent = stream;
                _streamHeard = now;
            }

            connected = _connected;
        }

        if (expired)
        {
            LogLeasesExpired(ttl.TotalSeconds);
            _leases.ExpireLeases();
        }

        if (silent is not null)
        {
            LogSilent(StreamSilence.TotalSeconds);
            try
            {
                silent.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The stream ended on its own meanwhile.
            }
        }

        if (connected)
        {
            _outbox.DemandDue();
        }
    }
}
