using System.Net;
using Grpc.Core;
using Lamina.Concurrency.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lamina.Gateway.Tests.ConcurrencyClient;

/// <summary>
/// The concurrency controller's side of the contract on a real Kestrel (HTTP/2 without TLS, as the
/// operator serves it) at a free loopback port: it records each stream and what the gateway sent on
/// it, sends what the test tells it to, and refuses streams with FAILED_PRECONDITION, as a standby
/// replica does, while <see cref="Standby"/> is set.
/// </summary>
internal sealed class FakeController : IAsyncDisposable
{
    /// <summary>The longest a test waits for the gateway to open a stream.</summary>
    private static readonly TimeSpan StreamDeadline = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly List<FakeControllerStream> _streams = [];
    private readonly List<(int Count, TaskCompletionSource Reached)> _arrivals = [];
    private WebApplication? _app;
    private int _refused;
    private volatile bool _standby;

    private FakeController(bool standby)
    {
        _standby = standby;
    }

    /// <summary><c>http://127.0.0.1:port</c>.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Refuse new streams (not the leader).</summary>
    public bool Standby
    {
        get => _standby;
        set => _standby = value;
    }

    /// <summary>Streams refused so far.</summary>
    public int Refused => Volatile.Read(ref _refused);

    public IReadOnlyList<FakeControllerStream> Streams
    {
        get { lock (_gate) { return [.. _streams]; } }
    }

    public static async Task<FakeController> StartAsync(bool standby = false)
    {
        var controller = new FakeController(standby);
        var builder = WebApplication.CreateSlimBuilder();
        // Port 0: the kernel picks a free port as Kestrel binds, so no other test can take it first.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new Service(controller));
        var app = builder.Build();
        app.MapGrpcService<Service>();
        await app.StartAsync();
        controller._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        controller.Address = new Uri(address);
        return controller;
    }

    /// <summary>The stream the gateway opened as the <paramref name="index"/>th (from 0); fails after a deadline.</summary>
    public Task<FakeControllerStream> StreamAsync(int index)
    {
        lock (_gate)
        {
            if (_streams.Count > index)
            {
                return Task.FromResult(_streams[index]);
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _arrivals.Add((index + 1, reached));
            return WaitAsync(reached.Task, index);
        }

        async Task<FakeControllerStream> WaitAsync(Task reached, int index)
        {
            await reached.WaitAsync(StreamDeadline);
            lock (_gate)
            {
                return _streams[index];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var stream in Streams)
        {
            stream.End();
        }

        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private void Opened(FakeControllerStream stream)
    {
        lock (_gate)
        {
            _streams.Add(stream);
            foreach (var arrival in _arrivals.Where(a => _streams.Count >= a.Count).ToList())
            {
                _arrivals.Remove(arrival);
                arrival.Reached.TrySetResult();
            }
        }
    }

    /// <summary>The service Kestrel runs; one per controller.</summary>
    private sealed class Service(FakeController owner) : ConcurrencyController.ConcurrencyControllerBase
    {
        public override async Task Connect(IAsyncStreamReader<GatewayMessage> requestStream, IServerStreamWriter<ControllerMessage> responseStream, ServerCallContext context)
        {
            if (owner.Standby)
            {
                Interlocked.Increment(ref owner._refused);
                throw new RpcException(new Status(StatusCode.FailedPrecondition, "this replica is not the leader"));
            }

            var stream = new FakeControllerStream();
            owner.Opened(stream);
            // The reading ends with the call: Kestrel reuses a finished stream's request body, so no read may outlive it.
            using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            var reading = ReadAsync(requestStream, stream, ending.Token);
            try
            {
                await foreach (var message in stream.Outgoing.ReadAllAsync(context.CancellationToken))
                {
                    await responseStream.WriteAsync(message, context.CancellationToken);
                }
            }
            catch (OperationCanceledException)
            {
                // The gateway went away.
            }
            finally
            {
                stream.End(); // the gateway left: nothing more to send
            }

            await ending.CancelAsync();
            await reading;
        }

        private static async Task ReadAsync(IAsyncStreamReader<GatewayMessage> requests, FakeControllerStream stream, CancellationToken cancellationToken)
        {
            try
            {
                while (await requests.MoveNext(cancellationToken))
                {
                    stream.Receive(requests.Current);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException or RpcException)
            {
                // The stream ended from either side.
            }
        }
    }
}
