using System.Net;
using System.Text;
using Lamina.Contracts.Shim;
using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>
/// The gateways' token checked by the real shim process with a real runtime. (That the check needs no
/// OpenSSL, which the Node example image lacks, is proven end to end: the Node functions of
/// GatewayInvokeTests run in that image; this machine has OpenSSL, and .NET falls back to it whatever
/// version is asked for.)
/// </summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class InvokeTokenTests
{
    private const string Token = "gateway-token";

    // SHA-256 of "gateway-token", as the operator writes it into function pods.
    private static readonly string TokenHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Token)));

    [Theory]
    [MemberData(nameof(ConformanceRuntimes.Names), MemberType = typeof(ConformanceRuntimes))]
    public async Task Invoke_PodWithTokenHashes_OnlyTheTokenGetsIn(string runtime)
    {
        var guarded = (await ConformanceRuntimes.GetAsync(runtime)).With((ShimPodEnvironment.InvokeTokenSha256, TokenHash));
        await using var shim = await guarded.StartShimAsync();

        var refused = await shim.InvokeAsync(InvokePath.Contract, "{}", "no-token-1");
        var wrong = await shim.InvokeAsync(InvokePath.Contract, "{}", "wrong-token-1", (ShimInvokeContract.Headers.Token, "guessed"));
        var admitted = await shim.InvokeAsync(InvokePath.Contract, """{"ok":1}""", "gateway-1", (ShimInvokeContract.Headers.Token, Token));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        ShimInvocations.AssertSucceeded(admitted, """{"ok":1}"""u8.ToArray(), "gateway-1");
        Assert.False(shim.Process.HasExited);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-hash")]
    public async Task Invoke_FunctionPodWithoutValidHashes_EveryCallRefused(string? hashes)
    {
        // Outside --local, as in a function pod: a missing or damaged variable must not open the pod.
        var runtime = await ConformanceRuntimes.GetAsync(ConformanceRuntimes.Provided);
        var environment = new Dictionary<string, string>(runtime.Environment, StringComparer.Ordinal);
        if (hashes is not null)
        {
            environment[ShimPodEnvironment.InvokeTokenSha256] = hashes;
        }

        await using var shim = await ShimProcess.StartAsync(runtime.Command, environment, local: false);

        var anonymous = await shim.InvokeAsync(InvokePath.Contract, "{}", "no-token-1");
        var withToken = await shim.InvokeAsync(InvokePath.Contract, "{}", "token-1", (ShimInvokeContract.Headers.Token, Token));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, withToken.Status);
        Assert.Contains("holds no valid hash", shim.Log(), StringComparison.Ordinal);
        using var ready = await shim.GetAdminAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode); // readiness does not say it: the 401s and the log line do
    }
}
