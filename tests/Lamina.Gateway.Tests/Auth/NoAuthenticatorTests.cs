using Lamina.Gateway.Auth;
using Lamina.Testing;

namespace Lamina.Gateway.Tests.Auth;

/// <summary><c>--auth=none</c>: everyone is a caller of every namespace.</summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class NoAuthenticatorTests
{
    [Fact]
    public void Authenticate_UnsignedRequest_CallerOfEveryNamespace()
    {
        var authenticator = new NoAuthenticator("default");

        var result = authenticator.Authenticate(TestRequests.Create("POST", "/2015-03-31/functions/hello/invocations", []), [], DateTimeOffset.UnixEpoch);

        var caller = Assert.IsType<AuthResult.Authenticated>(result).Caller;
        Assert.Equal("anonymous", caller.Identity);
        Assert.Null(caller.Namespaces);
        Assert.True(caller.MayInvokeIn("kube-system"));
        Assert.Equal("default", caller.DefaultNamespace);
    }

    [Fact]
    public void Authenticate_ConfiguredDefaultNamespace_BareNamesResolveThere()
    {
        var authenticator = new NoAuthenticator("dev");

        var result = authenticator.Authenticate(new SignedInvoke { Secret = "wrong" }.Build(), [], DateTimeOffset.UnixEpoch);

        Assert.Equal("dev", Assert.IsType<AuthResult.Authenticated>(result).Caller.DefaultNamespace);
    }
}
