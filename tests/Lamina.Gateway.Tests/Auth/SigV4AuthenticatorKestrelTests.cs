using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Lamina.Gateway.Auth;
using Lamina.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lamina.Gateway.Tests.Auth;

/// <summary>
/// The botocore and AWS CLI requests replayed byte for byte into a real Kestrel on loopback, so
/// that what the authenticator reads (the raw request target, the decoded path, the headers) is
/// what Kestrel really hands over, not what a test builds.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Unit)]
public sealed class SigV4AuthenticatorKestrelTests : IAsyncLifetime
{
    /// <summary>Unsigned, so it changes nothing: the time the case was signed at, as the gateway's clock.</summary>
    private const string NowHeader = "X-Test-Now";

    private static readonly BotocoreFixture Fixture = BotocoreFixture.Load();

    private WebApplication? _app;
    private int _port;

    public static TheoryData<string> Cases => [.. Fixture.Cases.Select(c => c.Name)];

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        var authenticator = new SigV4Authenticator(
            new FakeAccessKeyStore(new AccessKey(Fixture.AccessKeyId, Fixture.SecretAccessKey, null, "default")), null, SigV4Authenticator.LambdaService, NullLogger.Instance);
        _app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var now = DateTimeOffset.ParseExact(context.Request.Headers[NowHeader].ToString(), "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            var result = authenticator.Authenticate(context.Request, body.ToArray(), now);
            var answer = Encoding.UTF8.GetBytes(result is AuthResult.Denied denied ? denied.Exception : "authenticated");
            context.Response.ContentLength = answer.Length;
            await context.Response.Body.WriteAsync(answer);
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _port = new Uri(address).Port;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Authenticate_ReplayedOnTheWire_Authenticated(string name)
    {
        var signed = Fixture.Case(name);

        var answer = await SendAsync(signed.Method, signed.Target, signed);

        Assert.Equal("authenticated", answer);
    }

    [Fact]
    public async Task Authenticate_ReplayedWithTheArnChanged_InvalidSignature()
    {
        var signed = Fixture.Case("arn-with-qualifier-in-path");

        var answer = await SendAsync(signed.Method, signed.Target.Replace("team-a.hello", "team-b.hello", StringComparison.Ordinal), signed);

        Assert.Equal(AuthErrors.InvalidSignatureException, answer);
    }

    private async Task<string> SendAsync(string method, string target, BotocoreCase signed)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _port);
        var stream = client.GetStream();
        var head = new StringBuilder($"{method} {target} HTTP/1.1\r\n");
        foreach (var header in signed.Headers)
        {
            head.Append(header).Append("\r\n");
        }

        head.Append(CultureInfo.InvariantCulture, $"{NowHeader}: {signed.Now:yyyyMMdd'T'HHmmss'Z'}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(head.ToString()));
        await stream.WriteAsync(signed.Body);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        return response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..].Trim();
    }
}
