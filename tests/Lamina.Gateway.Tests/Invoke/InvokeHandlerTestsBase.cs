using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using Lamina.Gateway.Auth;
using Lamina.Gateway.Invoke;
using Lamina.Gateway.Tests.Auth;
using Lamina.Gateway.Tests.Fakes;
using Lamina.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Lamina.Gateway.Tests.Invoke;

/// <summary>
/// What every InvokeHandler*Tests class shares: a handler over recording fakes (authenticator,
/// catalog, router, async queue), its meters and access log, and requests as the server hands them
/// over. The tests are split by the concern they pin, as the handler's types are (Invoke/).
/// </summary>
public abstract class InvokeHandlerTestsBase : IDisposable
{
    private protected const string FunctionArn = "arn:aws:lambda:us-east-1:000000000000:function:";
    private protected const string TooLarge = "Request must be smaller than 6291456 bytes for the InvokeFunction operation";

    private protected static readonly string[] ServiceErrorFields = ["Type", "message", "Reason"];

    // alice may invoke in team-a (her default) and team-b; team-c has a function she must not learn about.
    private protected static readonly Caller Alice = new("alice", new HashSet<string>(StringComparer.Ordinal) { "team-a", "team-b" }, "team-a");

    private protected readonly FakeTimeProvider _time = new();
    private protected readonly FakeRequestAuthenticator _authenticator = new(new AuthResult.Authenticated(Alice));
    private protected readonly FakeFunctionCatalog _catalog = new(("team-a", "orders"), ("team-a", "aA"), ("team-b", "billing"), ("team-c", "payroll"));
    private protected readonly RecordingInvocationRouter _router = new();
    private protected readonly FakeAsyncQueue _async = new();
    private protected readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private protected readonly MetricCollectors _meters;
    private protected readonly InvokeHandler _handler;
    private protected readonly RecordingLogger<InvokeHandler> _accessLog = new();
    private protected readonly ILoggerFactory _loggers;

    private protected InvokeHandlerTestsBase()
    {
        var meterFactory = _services.GetRequiredService<IMeterFactory>();
        _meters = new MetricCollectors(meterFactory);
        // Only the access log's category reaches the recorder.
        _loggers = LoggerFactory.Create(logging => logging.AddProvider(_accessLog).AddFilter((category, _) => category == AccessLog.Category));
        _handler = new InvokeHandler(
            _authenticator,
            _catalog,
            _router,
            _async,
            new InvokeMetrics(meterFactory),
            Options.Create(new GatewayOptions()),
            _time,
            NullLogger<InvokeHandler>.Instance,
            _loggers);
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _meters.Dispose();
            _loggers.Dispose();
            _services.Dispose();
        }
    }
    // ---------------------------------------------------------------- helpers

    /// <summary>
    /// An Invoke request as the server hands it over: the name percent-encoded as the AWS CLI sends it,
    /// then decoded by the server (<see cref="PathString.FromUriComponent(string)"/>), the body with its
    /// Content-Length.
    /// </summary>
    private protected static DefaultHttpContext Post(string functionName, string body, params (string Name, string Value)[] headers) =>
        Post(functionName, Encoding.UTF8.GetBytes(body), headers);

    private protected static DefaultHttpContext Post(string functionName, byte[] body, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = HttpMethods.Post;
        request.Path = PathString.FromUriComponent($"{InvokeHandler.PathPrefix}{Uri.EscapeDataString(functionName)}{InvokeHandler.PathSuffix}");
        request.ContentType = "application/json";
        request.ContentLength = body.Length;
        request.Body = new MemoryStream(body, writable: false);
        foreach (var (name, value) in headers)
        {
            if (name.Length > 0)
            {
                request.Headers[name] = value;
            }
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    private protected static byte[] JsonString(int totalBytes)
    {
        var body = new byte[totalBytes];
        body.AsSpan().Fill((byte)'a');
        body[0] = (byte)'"';
        body[^1] = (byte)'"';
        return body;
    }

    private protected static byte[] ResponseBytes(HttpContext context) => ((MemoryStream)context.Response.Body).ToArray();

    private protected static string ResponseText(HttpContext context) => Encoding.UTF8.GetString(ResponseBytes(context));

    private protected static string Header(HttpContext context, string name) => context.Response.Headers[name].ToString();

    private protected static Dictionary<string, string?> JsonFields(HttpContext context)
    {
        using var document = JsonDocument.Parse(ResponseBytes(context));
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString(), StringComparer.Ordinal);
    }

    /// <summary>Lambda's service error: the status, X-Amzn-ErrorType, and a body of Type, message (and Reason).</summary>
    private protected static Dictionary<string, string?> AssertServiceError(HttpContext context, int status, string exception, string type = "User")
    {
        Assert.Equal(status, context.Response.StatusCode);
        Assert.Equal(exception, Header(context, "X-Amzn-ErrorType"));
        Assert.Equal("application/json", context.Response.ContentType);
        var body = JsonFields(context);
        Assert.Equal(type, body["Type"]);
        Assert.False(string.IsNullOrEmpty(body["message"]));
        Assert.All(body.Keys, key => Assert.Contains(key, ServiceErrorFields));
        return body;
    }

    private protected static SortedDictionary<string, string?> Tags(params (string Key, string Value)[] tags)
    {
        var sorted = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            sorted[key] = value;
        }

        return sorted;
    }
}
