using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using Lamina.Gateway.Auth;
using Lamina.Gateway.Hosting;
using Lamina.Gateway.Invoke;
using Lamina.Gateway.Tests.Auth;
using Lamina.Gateway.Tests.Fakes;
using Lamina.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Lamina.Gateway.Tests.Invoke;

/// <summary>
/// When the handler reads a body, and how much it holds for it (issue 19): a request its headers
/// refuse is answered without a read, a claimed Content-Length is never allocated up front, and the
/// body buffer budget refuses with 429 when spent and is given back after every request.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class InvokeHandlerBodyTests : IDisposable
{
    /// <summary>A handler that wrongly waits for the body that never comes hangs; this bounds the test instead.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static readonly AccessKey Key = new(TestSigner.KeyId, TestSigner.Secret, new[] { "team-a" }.ToFrozenSet(), "team-a");

    private readonly FakeTimeProvider _time = new(SignedInvoke.Now);
    private readonly FakeAccessKeyStore _keys = new(Key);
    private readonly FakeFunctionCatalog _catalog = new(("team-a", "hello"));
    private readonly RecordingInvocationRouter _router = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly BodyBudget _budget;
    private readonly InvokeHandler _handler;

    public InvokeHandlerBodyTests()
    {
        _budget = new BodyBudget(InvokeHandler.MaximumPayload * 2L, _services.GetRequiredService<IMeterFactory>());
        _handler = NewHandler(new SigV4Authenticator(_keys, region: null, SigV4Authenticator.LambdaService, NullLogger.Instance), _budget);
    }

    public void Dispose() => _services.Dispose();

    // ---------------------------------------------------------------- refused before the body

    public static TheoryData<string> RefusedByTheHeaders => new()
    {
        "no authorization",
        "unknown key",
        "signed six minutes ago",
        "signed six minutes ahead",
        "scoped to another service",
        "scope date not the request's",
        "malformed authorization",
    };

    [Theory]
    [MemberData(nameof(RefusedByTheHeaders))]
    public async Task HandleAsync_RefusedByTheHeaders_403WithoutReadingTheBody(string scenario)
    {
        var signed = scenario switch
        {
            "unknown key" => new SignedInvoke { KeyId = "AKIDNOBODYHOLDS" },
            "signed six minutes ago" => new SignedInvoke { AmzDate = "20260101T115400Z" },
            "signed six minutes ahead" => new SignedInvoke { AmzDate = "20260101T120600Z" },
            "scoped to another service" => new SignedInvoke { Service = "s3" },
            _ => new SignedInvoke(),
        };
        var body = new WatchedBodyStream("{\"a\":"u8.ToArray());
        var context = Context(signed, body, claimed: InvokeHandler.MaximumPayload, headers =>
        {
            switch (scenario)
            {
                case "no authorization":
                    headers.Remove("Authorization");
                    break;
                case "scope date not the request's":
                    headers.Authorization = headers.Authorization.ToString().Replace("/20260101/", "/20251231/", StringComparison.Ordinal);
                    break;
                case "malformed authorization":
                    headers.Authorization = "AWS4-HMAC-SHA256 Credential=nothing";
                    break;
            }
        });

        await _handler.HandleAsync(context).WaitAsync(Deadline);

        Assert.Equal(403, context.Response.StatusCode);
        Assert.Equal(0, body.Reads);
        Assert.Equal(0, _budget.Held);
        Assert.Empty(_router.Invocations);
    }

    [Fact]
    public async Task HandleAsync_SignedAndValid_BodyReadSignatureCheckedAndInvoked()
    {
        var signed = new SignedInvoke();
        var context = Context(signed, new MemoryStream(signed.Body), claimed: signed.Body.Length);

        await _handler.HandleAsync(context).WaitAsync(Deadline);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal(signed.Body, Assert.Single(_router.Invocations).Request.Payload.ToArray());
        Assert.Equal(0, _budget.Held);
    }

    [Fact]
    public async Task HandleAsync_BodyNotTheOneSigned_403SignatureDoesNotMatchAfterReadingIt()
    {
        // Everything the headers say passes; only the body's SHA-256 tells (X-Amz-Content-SHA256 is not trusted).
        var signed = new SignedInvoke();
        var tampered = "{\"key\":\"VALUE\"}"u8.ToArray();
        var context = Context(signed, new MemoryStream(tampered), claimed: tampered.Length, headers => headers["X-Amz-Content-SHA256"] = TestSigner.Sha256Hex(signed.Body));

        await _handler.HandleAsync(context).WaitAsync(Deadline);

        Assert.Equal(403, context.Response.StatusCode);
        Assert.Equal(AuthErrors.InvalidSignatureException, context.Response.Headers["X-Amzn-ErrorType"].ToString());
        Assert.Empty(_router.Invocations);
        Assert.Equal(0, _budget.Held);
    }

    [Fact]
    public async Task HandleAsync_ValidKeyWrongSignatureUnknownFunction_403NotTheFunctionsAbsence()
    {
        // The function is refused from the headers, but a caller without the secret must not learn that it is missing.
        var signed = new SignedInvoke { Path = "/2015-03-31/functions/nothing/invocations" };
        var context = Context(signed, new MemoryStream(signed.Body), claimed: signed.Body.Length, headers =>
            headers.Authorization = headers.Authorization.ToString()[..^4] + "0000");

        await _handler.HandleAsync(context).WaitAsync(Deadline);

        Assert.Equal(403, context.Response.StatusCode);
        Assert.Equal(0, _budget.Held);
    }

    [Fact]
    public async Task HandleAsync_SignedUnknownFunction_404AndTheBodyNeverBuffered()
    {
        var signed = new SignedInvoke { Path = "/2015-03-31/functions/nothing/invocations" };
        var body = new WatchedBodyStream(signed.Body);
        var context = Context(signed, body, claimed: signed.Body.Length);

        await _handler.HandleAsync(context).WaitAsync(Deadline);

        // Read (hashed for the signature) through one small buffer, which is given back.
        Assert.Equal(404, context.Response.StatusCode);
        Assert.InRange(body.LargestRead, 1, 16 * 1024);
        Assert.Empty(_router.Invocations);
        Assert.Equal(0, _budget.Held);
    }

    // ---------------------------------------------------------------- what is allocated

    [Fact]
    public async Task HandleAsync_ClaimsSixMegabytesSendsTen_HoldsNoMoreThanTheFirstBuffer()
    {
        var fake = new FakeRequestAuthenticator(new AuthResult.Authenticated(new Caller("alice", Namespaces: null, "team-a")));
        var handler = NewHandler(fake, _budget);
        var body = new WatchedBodyStream("{\"a\":12345"u8.ToArray());
        var context = Context(new SignedInvoke(), body, claimed: InvokeHandler.MaximumPayload);
        using var abort = new CancellationTokenSource();
        context.RequestAborted = abort.Token;

        var running = handler.HandleAsync(context);
        await Eventually.HoldsAsync(() => body.Reads >= 2, Deadline, "the handler read the body twice");

        // Waiting for the rest: it holds what arrived and one buffer's room, not the claim.
        Assert.InRange(_budget.Held, 1, 64 * 1024);
        Assert.InRange(body.LargestRead, 1, 64 * 1024);
        await abort.CancelAsync();
        await running.WaitAsync(Deadline);
        Assert.Equal(0, _budget.Held);
        Assert.Empty(_router.Invocations);
    }

    [Fact]
    public async Task HandleAsync_LargeBodyArrivingInPieces_GrowsToItAndGivesItBack()
    {
        var fake = new FakeRequestAuthenticator(new AuthResult.Authenticated(new Caller("alice", Namespaces: null, "team-a")));
        var handler = NewHandler(fake, _budget);
        var payload = new byte[1_000_000];
        payload.AsSpan().Fill((byte)' ');
        payload[0] = (byte)'[';
        payload[^1] = (byte)']';
        long held = 0;
        _router.OnInvoke = (_, _, _) => held = _budget.Held;
        var context = Context(new SignedInvoke(), new MemoryStream(payload), claimed: payload.Length);

        await handler.HandleAsync(context).WaitAsync(Deadline);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal(payload, Assert.Single(_router.Invocations).Request.Payload.ToArray());
        Assert.InRange(held, payload.Length, 2L * payload.Length); // one pooled buffer of the next power of two
        Assert.Equal(0, _budget.Held);
    }

    // ---------------------------------------------------------------- the budget

    [Fact]
    public async Task HandleAsync_BudgetSpent_429TooManyRequestsWithoutBuffering()
    {
        var fake = new FakeRequestAuthenticator(new AuthResult.Authenticated(new Caller("alice", Namespaces: null, "team-a")));
        var budget = new BodyBudget(InvokeHandler.MaximumPayload, _services.GetRequiredService<IMeterFactory>());
        var handler = NewHandler(fake, budget);
        Assert.True(budget.TryTake(InvokeHandler.MaximumPayload - 100)); // other requests hold nearly all of it
        var context = Context(new SignedInvoke(), new MemoryStream(new byte[1000]), claimed: 1000);

        await handler.HandleAsync(context).WaitAsync(Deadline);

        Assert.Equal(429, context.Response.StatusCode);
        Assert.Equal("TooManyRequestsException", context.Response.Headers["X-Amzn-ErrorType"].ToString());
        Assert.Equal("1", context.Response.Headers.RetryAfter.ToString());
        Assert.Empty(_router.Invocations);
        Assert.Equal(InvokeHandler.MaximumPayload - 100, budget.Held);

        budget.Give(InvokeHandler.MaximumPayload - 100); // they finished
        var again = Context(new SignedInvoke(), new MemoryStream("[1]"u8.ToArray()), claimed: 3);
        await handler.HandleAsync(again).WaitAsync(Deadline);
        Assert.Equal(200, again.Response.StatusCode);
        Assert.Equal(0, budget.Held);
    }

    [Fact]
    public async Task HandleAsync_BudgetSpentByRequestsInFlight_RefusesUntilTheyCompleteOrAbort()
    {
        var fake = new FakeRequestAuthenticator(new AuthResult.Authenticated(new Caller("alice", Namespaces: null, "team-a")));
        // Room for two first buffers (16 KiB each) and not the third's 128 bytes.
        var budget = new BodyBudget((2 * 16 * 1024) + 100, _services.GetRequiredService<IMeterFactory>());
        var handler = NewHandler(fake, budget);
        var slow = new[] { new WatchedBodyStream("[1,"u8.ToArray()), new WatchedBodyStream("[2,"u8.ToArray()) };
        var aborts = new[] { new CancellationTokenSource(), new CancellationTokenSource() };
        var running = new Task[2];
        for (var i = 0; i < 2; i++)
        {
            var context = Context(new SignedInvoke(), slow[i], claimed: 100_000);
            context.RequestAborted = aborts[i].Token;
            running[i] = handler.HandleAsync(context);
        }

        await Eventually.HoldsAsync(() => slow[0].Reads >= 2 && slow[1].Reads >= 2, Deadline, "both slow bodies were read twice");
        var third = Context(new SignedInvoke(), new MemoryStream(new byte[100]), claimed: 100);
        await handler.HandleAsync(third).WaitAsync(Deadline);
        Assert.Equal(429, third.Response.StatusCode);

        // The callers give up: what they held comes back, and the next request is served.
        foreach (var abort in aborts)
        {
            await abort.CancelAsync();
            abort.Dispose();
        }

        await Task.WhenAll(running).WaitAsync(Deadline);
        Assert.Equal(0, budget.Held);
        var fourth = Context(new SignedInvoke(), new MemoryStream("[4]"u8.ToArray()), claimed: 3);
        await handler.HandleAsync(fourth).WaitAsync(Deadline);
        Assert.Equal(200, fourth.Response.StatusCode);
        Assert.Equal(0, budget.Held);
    }

    [Fact]
    public async Task HandleAsync_RouterThrows_BudgetGivenBack()
    {
        var fake = new FakeRequestAuthenticator(new AuthResult.Authenticated(new Caller("alice", Namespaces: null, "team-a")));
        var handler = NewHandler(fake, _budget);
        _router.OnInvoke = (_, _, _) => throw new InvalidOperationException("boom");
        var context = Context(new SignedInvoke(), new MemoryStream("[1]"u8.ToArray()), claimed: 3);

        await handler.HandleAsync(context).WaitAsync(Deadline);

        Assert.Equal(500, context.Response.StatusCode);
        Assert.Equal(0, _budget.Held);
    }

    // ---------------------------------------------------------------- helpers

    private InvokeHandler NewHandler(IRequestAuthenticator authenticator, BodyBudget budget) => new(
        authenticator,
        _catalog,
        _router,
        new FakeAsyncQueue(),
        new InvokeMetrics(_services.GetRequiredService<IMeterFactory>()),
        Options.Create(new GatewayOptions()),
        _time,
        NullLogger<InvokeHandler>.Instance,
        NullLoggerFactory.Instance,
        new RequestBodyReader(budget),
        new ShutdownGate());

    private static DefaultHttpContext Context(SignedInvoke signed, Stream body, long claimed, Action<IHeaderDictionary>? tamper = null)
    {
        var request = signed.Build(tamper);
        var context = (DefaultHttpContext)request.HttpContext;
        request.ContentLength = claimed;
        request.Body = body;
        context.Response.Body = new MemoryStream();
        return context;
    }
}
