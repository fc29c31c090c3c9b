using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using k8s.Models;
using Lamina.Operator.Access;
using Lamina.Testing;
using Lamina.Testing.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lamina.Operator.Tests.Access;

[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class InvokeTokenSecretTests : IDisposable
{
    private const string Ns = "lamina-system";
    private readonly FakeKubernetesClient _client = new();
    private readonly RecordingEventRecorder _events = new();
    private readonly IMeterFactory _meters = TestMeters.Factory();
    private readonly MetricCollectors _recorded;
    private readonly InvokeTokenSecret _tokens;

    public InvokeTokenSecretTests()
    {
        _tokens = new InvokeTokenSecret(_client, Ns, _events, _meters, NullLogger<InvokeTokenSecret>.Instance);
        _recorded = new MetricCollectors(_meters);
    }

    public void Dispose()
    {
        _recorded.Dispose();
        _meters.Dispose();
    }

    public static TheoryData<string, byte[]?> BrokenContents => new()
    {
        { "no key", null },
        { "empty", [] },
        { "blank lines", "\n  \n\n"u8.ToArray() },
        { "not UTF-8", [0xff, 0xfe, 0x41] },
        { "a control character", "new\u0007token\n"u8.ToArray() },
        { "a space inside", "two words\n"u8.ToArray() },
        { "too long", Encoding.UTF8.GetBytes(new string('t', 257)) },
    };

    [Fact]
    public async Task RefreshAsync_MissingSecret_CreatesOneWithARandomTokenAndAcceptsIt()
    {
        Assert.True(await _tokens.RefreshAsync(CancellationToken.None));

        var created = _client.Peek<V1Secret>(Ns, InvokeTokenSecret.SecretName)!;
        var token = Encoding.UTF8.GetString(created.Data![InvokeTokenSecret.Key]).Trim();
        Assert.True(_tokens.Accepts(token));
        Assert.Equal(Hash(token), _tokens.Hashes);
        Assert.Null(_tokens.Problem);
        Assert.Equal(1, Gauge());
    }

    [Theory]
    [MemberData(nameof(BrokenContents))]
    public async Task RefreshAsync_SecretBrokenAfterAGoodRead_LastGoodTokensStayAndTheBreakIsReported(string what, byte[]? content)
    {
        Seed("old-token\n"u8.ToArray());
        Assert.True(await _tokens.RefreshAsync(CancellationToken.None));
        _client.ClearRequests();

        Seed(content);
        var changed = await _tokens.RefreshAsync(CancellationToken.None);

        Assert.False(changed, what);
        Assert.True(_tokens.Accepts("old-token"), what);
        Assert.Equal(Hash("old-token"), _tokens.Hashes);
        Assert.NotNull(_tokens.Problem);
        Assert.Empty(_client.Writes); // never replaced by a token no gateway holds
        Assert.Equal(0, Gauge());
        var warning = Assert.Single(_events.Events);
        Assert.StartsWith($"Warning {InvokeTokenSecret.InvalidReason}: Secret {Ns}/{InvokeTokenSecret.SecretName} is not usable:", warning, StringComparison.Ordinal);
        Assert.EndsWith("about Secret/lamina-invoke-token", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefreshAsync_SecretBrokenSinceTheStart_NothingAcceptedNoHashesAndReported()
    {
        Seed([]);

        Assert.False(await _tokens.RefreshAsync(CancellationToken.None));

        Assert.Null(_tokens.Hashes);
        Assert.False(_tokens.Accepts("anything"));
        Assert.Equal(0, Gauge());
        Assert.Contains("no good token was ever read", Assert.Single(_events.Events), StringComparison.Ordinal);
        Assert.Empty(_client.Writes);
    }

    [Fact]
    public async Task RefreshAsync_StillBroken_ReportedOnce()
    {
        Seed("old-token\n"u8.ToArray());
        await _tokens.RefreshAsync(CancellationToken.None);
        Seed([]);

        await _tokens.RefreshAsync(CancellationToken.None);
        await _tokens.RefreshAsync(CancellationToken.None);

        Assert.Single(_events.Events);
    }

    [Fact]
    public async Task RefreshAsync_RepairedWithANewToken_ChangedNormalEventGaugeBackToOne()
    {
        Seed("old-token\n"u8.ToArray());
        await _tokens.RefreshAsync(CancellationToken.None);
        Seed([]);
        await _tokens.RefreshAsync(CancellationToken.None);

        Seed("new-token\nold-token\n"u8.ToArray());
        var changed = await _tokens.RefreshAsync(CancellationToken.None);

        Assert.True(changed);
        Assert.True(_tokens.Accepts("new-token"));
        Assert.Null(_tokens.Problem);
        Assert.Equal(1, Gauge());
        Assert.Equal($"Normal {InvokeTokenSecret.RepairedReason}", _events.Events[^1][..(_events.Events[^1].IndexOf(':', StringComparison.Ordinal))]);
    }

    [Fact]
    public async Task StandDown_AfterLeading_GaugeSilentTokensKept()
    {
        Seed("old-token\n"u8.ToArray());
        await _tokens.RefreshAsync(CancellationToken.None);

        _tokens.StandDown();

        var before = _recorded.Of(InvokeTokenSecret.ValidMetric).Count;
        _recorded.RecordObservableInstruments();
        Assert.Equal(before, _recorded.Of(InvokeTokenSecret.ValidMetric).Count);
        Assert.True(_tokens.Accepts("old-token"));
    }

    [Fact]
    public async Task LearnAsync_GoodSecret_TokensInForceWithoutEventsOrGauge()
    {
        Seed("old-token\n"u8.ToArray());

        Assert.True(await _tokens.LearnAsync(CancellationToken.None));

        Assert.True(_tokens.Accepts("old-token"));
        Assert.Equal(Hash("old-token"), _tokens.Hashes);
        Assert.Empty(_events.Events);
        _recorded.RecordObservableInstruments();
        Assert.Empty(_recorded.Of(InvokeTokenSecret.ValidMetric));
    }

    [Fact]
    public async Task LearnAsync_BrokenAfterLearning_KeepsTheLastGoodAndANewLeaderStillHasThem()
    {
        Seed("old-token\n"u8.ToArray());
        await _tokens.LearnAsync(CancellationToken.None);
        Seed([]);

        Assert.False(await _tokens.LearnAsync(CancellationToken.None));
        Assert.Empty(_events.Events); // a standby does not report

        // This standby now leads, with the Secret still broken: the old token still gets in.
        Assert.False(await _tokens.RefreshAsync(CancellationToken.None));
        Assert.True(_tokens.Accepts("old-token"));
        Assert.Equal(Hash("old-token"), _tokens.Hashes);
        Assert.Contains("the last good tokens stay in force", Assert.Single(_events.Events), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LearnAsync_WhileLeading_LeavesTheLeadersReadAlone()
    {
        Seed("old-token\n"u8.ToArray());
        await _tokens.RefreshAsync(CancellationToken.None);
        Seed("new-token\n"u8.ToArray());

        Assert.False(await _tokens.LearnAsync(CancellationToken.None));
        Assert.Equal(Hash("old-token"), _tokens.Hashes);

        // The leader's next read is the one that finds the change (and rolls the pods).
        Assert.True(await _tokens.RefreshAsync(CancellationToken.None));
        _tokens.StandDown();
        Seed("third-token\n"u8.ToArray());
        Assert.True(await _tokens.LearnAsync(CancellationToken.None));
    }

    [Fact]
    public async Task LearnAsync_MissingSecret_NotCreated()
    {
        Assert.False(await _tokens.LearnAsync(CancellationToken.None));

        Assert.Empty(_client.Writes);
        Assert.Null(_tokens.Hashes);
    }

    private void Seed(byte[]? content)
    {
        var secret = new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = new V1ObjectMeta { Name = InvokeTokenSecret.SecretName, NamespaceProperty = Ns },
            Data = content is null ? new Dictionary<string, byte[]> { ["other"] = "x"u8.ToArray() } : new Dictionary<string, byte[]> { [InvokeTokenSecret.Key] = content },
        };
        if (_client.Peek<V1Secret>(Ns, InvokeTokenSecret.SecretName) is null)
        {
            _client.Seed(secret);
        }
        else
        {
            _client.Mutate<V1Secret>(Ns, InvokeTokenSecret.SecretName, s => s.Data = secret.Data);
        }
    }

    /// <summary>The gauge's value now (one new measurement).</summary>
    private double Gauge()
    {
        var before = _recorded.Of(InvokeTokenSecret.ValidMetric).Count;
        _recorded.RecordObservableInstruments();
        var after = _recorded.Of(InvokeTokenSecret.ValidMetric);
        Assert.Equal(before + 1, after.Count);
        return after[^1].Value;
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
