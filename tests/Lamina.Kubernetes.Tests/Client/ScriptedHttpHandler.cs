using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Lamina.Kubernetes.Tests.Client;

/// <summary>
/// A fake HTTP transport: records each request (with its body read out) and answers with the
/// responder the test gives, by default 200 with <c>{}</c>.
/// </summary>
internal sealed class ScriptedHttpHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<RecordedHttpRequest> _requests = new();

    public Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Respond { get; set; } =
        (_, _) => Task.FromResult(Json(HttpStatusCode.OK, "{}"));

    public IReadOnlyList<RecordedHttpRequest> Requests => [.. _requests];

    public RecordedHttpRequest Last => Requests[^1];

    public static HttpResponseMessage Json(HttpStatusCode code, string body) =>
        new(code) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        _requests.Enqueue(new RecordedHttpRequest(
            request.Method.Method,
            request.RequestUri!.AbsoluteUri,
            request.Content?.Headers.ContentType?.MediaType,
            body,
            request.Headers.Accept.ToString()));
        return await Respond(request, cancellationToken);
    }
}
