using System.Net;
using System.Text;
using Lamina.Kubernetes.Client;
using Lamina.Kubernetes.Models;
using Lamina.Kubernetes.Watch;
using Lamina.Testing;

namespace Lamina.Kubernetes.Tests.Watch;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class WatchStreamReaderTests
{
    private const string Added = """{"type":"ADDED","object":{"apiVersion":"v1","kind":"Secret","metadata":{"name":"a","namespace":"ns","resourceVersion":"10"},"data":{"k":"dg=="}}}""";
    private const string Modified = """{"type":"MODIFIED","object":{"apiVersion":"v1","kind":"Secret","metadata":{"name":"a","namespace":"ns","resourceVersion":"11","labels":{"é":"ü"}},"type":"Opaque"}}""";
    private const string Deleted = """{"type":"DELETED","object":{"apiVersion":"v1","kind":"Secret","metadata":{"name":"a","namespace":"ns","resourceVersion":"12"}}}""";
    private const string Bookmark = """{"type":"BOOKMARK","object":{"kind":"Secret","apiVersion":"v1","metadata":{"resourceVersion":"13","creationTimestamp":null}}}""";
    private const string Gone = """{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 5 (9)","reason":"Expired","code":410}}""";

    [Fact]
    public async Task ReadAsync_OneByteChunks_DecodesEveryEvent()
    {
        var events = await ReadAllAsync(Lines(Added, Modified, Deleted, Bookmark), _ => 1);

        AssertTheFourEvents(events);
    }

    [Fact]
    public async Task ReadAsync_AllEventsInOneChunk_DecodesInOrder()
    {
        var events = await ReadAllAsync(Lines(Added, Modified, Deleted, Bookmark), _ => int.MaxValue);

        AssertTheFourEvents(events);
    }

    [Fact]
    public async Task ReadAsync_RandomChunking_SameEventsEveryTime()
    {
        var data = Lines(Added, Modified, Deleted, Bookmark);
        var random = new Random(42);
        for (var run = 0; run < 200; run++)
        {
            var events = await ReadAllAsync(data, _ => random.Next(1, 64));

            AssertTheFourEvents(events);
        }
    }

    [Fact]
    public async Task ReadAsync_LastLineWithoutNewline_Decoded()
    {
        var events = await ReadAllAsync(Encoding.UTF8.GetBytes(Added + "\n" + Modified), _ => 7);

        Assert.Equal([WatchEventType.Added, WatchEventType.Modified], events.Select(e => e.Type));
    }

    [Fact]
    public async Task ReadAsync_BlankLinesAndCarriageReturns_Skipped()
    {
        var events = await ReadAllAsync(Encoding.UTF8.GetBytes("\n\r\n" + Added + "\r\n\n  \n" + Deleted + "\n"), _ => 3);

        Assert.Equal([WatchEventType.Added, WatchEventType.Deleted], events.Select(e => e.Type));
    }

    [Fact]
    public async Task ReadAsync_ObjectBeforeType_Decoded()
    {
        const string reversed = """{"object":{"metadata":{"name":"b","resourceVersion":"20"}},"type":"MODIFIED"}""";

        var events = await ReadAllAsync(Lines(reversed), _ => 5);

        var only = Assert.Single(events);
        Assert.Equal(WatchEventType.Modified, only.Type);
        Assert.Equal("b", only.Object.Metadata.Name);
    }

    [Fact]
    public async Task ReadAsync_UnknownFields_KeptOnTheObject()
    {
        const string withExtra = """{"type":"ADDED","object":{"metadata":{"name":"c","managedFields":[{"manager":"m"}]},"immutable":true}}""";

        var events = await ReadAllAsync(Lines(withExtra), _ => 2);

        var secret = Assert.Single(events).Object;
        Assert.True(secret.ExtensionData!["immutable"].GetBoolean());
        Assert.Equal("m", secret.Metadata.ExtensionData!["managedFields"][0].GetProperty("manager").GetString());
    }

    [Fact]
    public async Task ReadAsync_ErrorEvent410_EventsBeforeItThenGoneWithStatus()
    {
        var received = new List<WatchEvent<Secret>>();

        var error = await Assert.ThrowsAsync<KubernetesApiException>(async () =>
        {
            await foreach (var e in WatchStreamReader.ReadAsync<Secret>(new ChunkedStream(Lines(Added, Gone, Modified), _ => 4), CancellationToken.None))
            {
                received.Add(e);
            }
        });

        Assert.Equal(WatchEventType.Added, Assert.Single(received).Type);
        Assert.True(error.IsGone);
        Assert.Equal(HttpStatusCode.Gone, error.StatusCode);
        Assert.Equal(StatusReasons.Expired, error.Reason);
        Assert.Equal("too old resource version: 5 (9)", error.Message);
    }

    [Fact]
    public async Task ReadAsync_ErrorEventWithoutCode_InternalServerError()
    {
        const string noCode = """{"type":"ERROR","object":{"kind":"Status","message":"etcd went away"}}""";

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => ReadAllAsync(Lines(noCode), _ => 100));

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal("etcd went away", error.Message);
    }

    [Fact]
    public async Task ReadAsync_MalformedLine_InvalidDataAfterTheGoodEvents()
    {
        var received = new List<WatchEvent<Secret>>();

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (var e in WatchStreamReader.ReadAsync<Secret>(new ChunkedStream(Lines(Added, """{"type":"ADDED","object":{"metadata":""", Deleted), _ => 9), CancellationToken.None))
            {
                received.Add(e);
            }
        });

        Assert.Single(received);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.Contains("""{"type":"ADDED","object":{"metadata":""", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"EXPLODED","object":{}}""", "unknown type")]
    [InlineData("""{"object":{"metadata":{}}}""", "no type")]
    [InlineData("""{"type":"ADDED"}""", "no object")]
    [InlineData("""[1,2]""", "not a JSON object")]
    [InlineData("""{"type":"ADDED","object":{}} {"type":"ADDED","object":{}}""", "not valid JSON")]
    public async Task ReadAsync_NotAWatchEvent_InvalidDataSaysWhy(string line, string why)
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(Lines(line), _ => 100));

        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_Cancelled_Stops()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in WatchStreamReader.ReadAsync<Secret>(new MemoryStream(Lines(Added)), cancel.Token))
            {
            }
        });
    }

    private static void AssertTheFourEvents(List<WatchEvent<Secret>> events)
    {
        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted, WatchEventType.Bookmark], events.Select(e => e.Type));
        Assert.Equal(["10", "11", "12", "13"], events.Select(e => e.Object.Metadata.ResourceVersion));
        Assert.Equal("dg==", events[0].Object.Data!["k"]);
        Assert.Equal("ü", events[1].Object.Metadata.Labels!["é"]);
        Assert.Equal("ns", events[2].Object.Metadata.Namespace);
    }

    private static async Task<List<WatchEvent<Secret>>> ReadAllAsync(byte[] data, Func<int, int> chunkSize)
    {
        var events = new List<WatchEvent<Secret>>();
        await foreach (var e in WatchStreamReader.ReadAsync<Secret>(new ChunkedStream(data, chunkSize), CancellationToken.None))
        {
            events.Add(e);
        }

        return events;
    }

    private static byte[] Lines(params string[] lines) => Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
}
