using System.Diagnostics.Metrics;
using System.Text;
using Lamina.RuntimeShim.Execution;
using Lamina.RuntimeShim.Hosting;
using Lamina.RuntimeShim.Metrics;
using Lamina.RuntimeShim.Tests.Fakes;
using Lamina.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Lamina.RuntimeShim.Tests.Execution;

/// <summary>
/// A real <see cref="ExecutionEnvironment"/> with a fake clock, a fake runtime, a recording log and a
/// recording meter. The test plays both sides: the process side (<see cref="StartRuntime"/>), the
/// runtime's Runtime API calls (<c>NextAsync</c>, <c>CompleteAsync</c>) and the gateway's invokes.
/// </summary>
internal sealed class EnvironmentHarness : IDisposable
{
    /// <summary>Lambda's default timeout.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(3);

    /// <summary>How long <see cref="StartInitialisedRuntime"/>'s runtime takes to initialise.</summary>
    public static readonly TimeSpan InitTime = TimeSpan.FromMilliseconds(250);

    public static readonly FunctionIdentity Identity = new("team-a", "hello", "on-demand");

    private readonly Meter _meter = new(ShimMetrics.MeterName);

    public EnvironmentHarness(TimeSpan? timeout = null, bool provisioned = false)
    {
        Metrics = new MetricCollectors(_meter);
        Environment = new ExecutionEnvironment(
            new EnvironmentOptions { Timeout = timeout ?? DefaultTimeout, FunctionArn = "arn:aws:lambda:us-east-1:000000000000:function:hello", Provisioned = provisioned },
            Time,
            Log,
            new ShimMetrics(_meter, Identity),
            NullLogger<ExecutionEnvironment>.Instance);
        Environment.Attach(Runtime);
    }

    public FakeTimeProvider Time { get; } = new();

    public FakeRuntime Runtime { get; } = new();

    public RecordingFunctionLog Log { get; } = new();

    public MetricCollectors Metrics { get; }

    public ExecutionEnvironment Environment { get; }

    /// <summary>The generation of the runtime started last.</summary>
    public RuntimeGeneration? Generation { get; private set; }

    public static InvocationRequest Request(string requestId, string payload = "{}") => new()
    {
        RequestId = requestId,
        Payload = Encoding.UTF8.GetBytes(payload),
    };

    public static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    public static InvocationResult Completed(InvokeOutcome outcome) =>
        Assert.IsType<InvokeOutcome.Completed>(outcome).Result;

    /// <summary>The supervisor starting a runtime process.</summary>
    public RuntimeGeneration StartRuntime() => Generation = Environment.OnRuntimeStarted();

    /// <summary>
    /// A runtime starts, initialises for <see cref="InitTime"/> and asks for its first event: the
    /// returned task is that long poll, answered when an invocation is accepted.
    /// </summary>
    public Task<Invocation> StartInitialisedRuntime()
    {
        StartRuntime();
        Time.Advance(InitTime);
        return Environment.NextAsync(CancellationToken.None);
    }

    /// <summary>
    /// One whole invocation on a runtime that is waiting in <paramref name="next"/>: invoke, let the
    /// runtime work for <paramref name="work"/>, post <paramref name="response"/>.
    /// </summary>
    public async Task<InvocationResult> RunAsync(Task<Invocation> next, string requestId, string response, TimeSpan work)
    {
        var invoke = Environment.InvokeAsync(Request(requestId), waitForInit: false, CancellationToken.None);
        var invocation = await next.Bounded();
        Assert.Equal(requestId, invocation.RequestId);
        Time.Advance(work);
        await Environment.CompleteAsync(requestId, Encoding.UTF8.GetBytes(response), functionError: null, errorType: null).Bounded();
        return Completed(await invoke.Bounded());
    }

    public void Dispose()
    {
        Metrics.Dispose();
        _meter.Dispose();
    }
}
