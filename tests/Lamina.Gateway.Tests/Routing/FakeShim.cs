using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lamina.Gateway.Tests.Routing;

/// <summary>
/// A shim's invoke contract on a real Kestrel on a free loopback port, answering as the test
/// scripts it (then <see cref="Default"/>). Like the real shim it runs one invocation at a time and
/// answers busy to a second; it counts such overlaps, which this gateway must never cause.
/// </summary>
internal sealed class FakeShim : IAsyncDisposable
{
    /// <summary>The longest a test waits for requests to arrive.</summary>
    private static readonly TimeSpan ArrivalDeadline = TimeSpan.FromSeconds(10);

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly Queue<ShimReply> _script = new();
    private readonly List<ReceivedInvocation> _received = [];
    private readonly List<(int Count, TaskCompletionSource Reached)> _arrivals = [];
    private readonly CancellationTokenSource _stopping = new();
    private int _running;

    private FakeShim(WebApplication app)
    {
        _app = app;
    }

    public int Port { get; private set; }

    /// <summary>The answer once the script is used up.</summary>
    public ShimReply Default { get; set; } = ShimReply.Ok();

    /// <summary>Requests that arrived while another was running here.</summary>
    public int Overlaps { get; private set; }

    public IReadOnlyList<ReceivedInvocation> Received
    {
        get { lock (_gate) { return [.. _received]; } }
    }

    public static async Task<FakeShim> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        // Port 0: the kernel picks a free port as Kestrel binds, so no other test can take it first.
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var shim = new FakeShim(app);
        app.Run(shim.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        shim.Port = new Uri(address).Port;
        return shim;
    }

    /// <summary>The next requests' answers, in order.</summary>
    public void Script(params ShimReply[] replies)
    {
        lock (_gate)
        {
            foreach (var reply in replies)
            {
                _script.Enqueue(reply);
            }
        }
    }

    /// <summary>Completes once <paramref name="count"/> requests have arrived; fails after a deadline.</summary>
    public Task ReceivedAsync(int count)
    {
        lock (_gate)
        {
            if (_received.Count >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _arrivals.Add((count, reached));
            return reached.Task.WaitAsync(ArrivalDeadline);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in context.Request.Headers)
        {
            if (name.StartsWith("Lamina-", StringComparison.OrdinalIgnoreCase))
            {
                headers[name] = value.ToString();
            }
        }

        ShimReply reply;
        lock (_gate)
        {
            _received.Add(new ReceivedInvocation(context.Request.Path.Value ?? "", headers, body));
            foreach (var arrival in _arrivals.Where(a => _received.Count >= a.Count).ToList())
            {
                _arrivals.Remove(arrival);
                arrival.Reached.TrySetResult();
            }

            if (++_running > 1)
            {
                Overlaps++;
                reply = new ShimReply.Busy();
            }
            else
            {
                reply = _script.Count > 0 ? _script.Dequeue() : Default;
            }
        }

        await AnswerAsync(context, reply, headers.GetValueOrDefault("Lamina-Request-Id"));
    }

    private async Task AnswerAsync(HttpContext context, ShimReply reply, string? requestId)
    {
        if (reply is ShimReply.Held held)
        {
            await held.Release.WaitAsync(_stopping.Token);
            await AnswerAsync(context, held.Then, requestId);
            return;
        }

        // Free before the answer leaves, as the real shim is: the gateway may send the next one at once.
        lock (_gate)
        {
            _running--;
        }

        var response = context.Response;
        switch (reply)
        {
            case ShimReply.Completed completed:
                response.StatusCode = StatusCodes.Status200OK;
                response.Headers["Lamina-Status"] = "completed";
                response.Headers["Lamina-Request-Id"] = requestId;
                if (completed.FunctionError is { } functionError)
                {
                    response.Headers["Lamina-Function-Error"] = functionError;
                }

                if (completed.LogResult is { } logResult)
                {
                    response.Headers["Lamina-Log-Result"] = logResult;
                }

                await WriteAsync(response, completed.Payload);
                break;
            case ShimReply.Busy:
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                response.Headers["Lamina-Status"] = "busy";
                response.Headers["X-Amzn-ErrorType"] = "EnvironmentBusyException";
                await WriteAsync(response, """{"Type":"User","message":"This environment is running another invocation."}""");
                break;
            case ShimReply.Unavailable:
                response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                response.Headers["Lamina-Status"] = "unavailable";
                response.Headers["X-Amzn-ErrorType"] = "EnvironmentUnavailableException";
                await WriteAsync(response, """{"Type":"Service","message":"This environment cannot take invocations: draining."}""");
                break;
            case ShimReply.Rejected rejected:
                response.StatusCode = rejected.Status;
                response.Headers["Lamina-Status"] = "rejected";
                response.Headers["X-Amzn-ErrorType"] = rejected.ErrorType;
                await WriteAsync(response, rejected.Body);
                break;
            case ShimReply.ServerError:
                response.StatusCode = StatusCodes.Status500InternalServerError;
                break;
            case ShimReply.Killed:
                context.Abort();
                break;
            default:
                throw new InvalidOperationException($"no answer for {reply}");
        }
    }

    private static Task WriteAsync(HttpResponse response, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.ContentType = "application/json";
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes).AsTask();
    }
}
