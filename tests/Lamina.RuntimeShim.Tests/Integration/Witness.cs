using System.Net;
using System.Text.Json;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>
/// The conformance function's witness (<c>{"witness":"&lt;url&gt;"}</c>): the function POSTs its
/// "start" phase here before anything else, and this server holds that request until the test calls
/// <see cref="Release"/>. So a test knows an invocation is running inside the runtime, and keeps it
/// running for exactly as long as it needs, without guessing at sleep lengths.
/// </summary>
internal sealed class Witness : IDisposable
{
    private readonly HttpListener _listener;
    private readonly TaskCompletionSource<string> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Witness(HttpListener listener, Uri url)
    {
        _listener = listener;
        Url = url;
        _ = ServeAsync();
    }

    public Uri Url { get; }

    /// <summary>The request id of the invocation that reached its start, once it has.</summary>
    public Task<string> Started => _started.Task;

    /// <summary>The request id of the invocation that reached its end phase (after <see cref="Release"/>).</summary>
    public Task<string> Ended => _ended.Task;

    /// <summary>A payload for the conformance function that checks in here, with more JSON members after it.</summary>
    public string Payload(string more = "") => $$"""{"witness":"{{Url}}"{{(more.Length > 0 ? "," + more : string.Empty)}}}""";

    public static Witness Start()
    {
        var (listener, url) = FreeHttpListener.Start("127.0.0.1", "/witness");
        return new Witness(listener, url);
    }

    /// <summary>Lets the held start request (and so the invocation) go on.</summary>
    public void Release() => _released.TrySetResult();

    public void Dispose()
    {
        Release();
        _listener.Close();
    }

    private async Task ServeAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = AnswerAsync(context);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.InputStream).ConfigureAwait(false);
            var phase = document.RootElement.GetProperty("phase").GetString();
            var requestId = document.RootElement.GetProperty("requestId").GetString() ?? string.Empty;
            if (phase == "start")
            {
                _started.TrySetResult(requestId);
                await _released.Task.ConfigureAwait(false);
            }
            else
            {
                _ended.TrySetResult(requestId);
            }

            context.Response.StatusCode = 200;
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException or JsonException or KeyNotFoundException or IOException)
        {
            // The listener closed under a held request, or the caller went away: nothing to answer.
        }
    }
}
