using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Lamina.Kubernetes.Tests.Http;

/// <summary>
/// A one-port HTTPS server for TLS tests: answers every request <c>200 {}</c>, and records the
/// Authorization header and the client certificate it saw. Optionally asks for a client certificate.
/// </summary>
internal sealed class LoopbackTlsServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _certificate;
    private readonly bool _askForClientCertificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public LoopbackTlsServer(X509Certificate2 certificate, bool askForClientCertificate = false)
    {
        _certificate = certificate;
        _askForClientCertificate = askForClientCertificate;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string? LastAuthorization { get; private set; }

    public string? LastClientCertificateThumbprint { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient connection;
            try
            {
                connection = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(connection);
        }
    }

    private async Task ServeAsync(TcpClient connection)
    {
        using (connection)
        {
            try
            {
                await using var tls = new SslStream(connection.GetStream());
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = _certificate,
                    ClientCertificateRequired = _askForClientCertificate,
                    // Any client certificate will do: the tests check which one arrived, not its chain.
                    RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    {
                        LastClientCertificateThumbprint = certificate?.GetCertHashString();
                        return certificate is not null || !_askForClientCertificate;
                    },
                }, _stop.Token);

                var head = await ReadHeadAsync(tls);
                LastAuthorization = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Authorization:", StringComparison.OrdinalIgnoreCase))?["Authorization:".Length..].Trim();
                await tls.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"u8.ToArray(), _stop.Token);

                // Close gracefully and let the client hang up first: closing a socket with unread
                // input sends a reset, which can reach the client before it has read the answer.
                await tls.ShutdownAsync();
                var drain = new byte[256];
                while (await tls.ReadAsync(drain, _stop.Token) > 0)
                {
                }
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
            {
                // The client refused our certificate (the point of some tests) or went away.
            }
        }
    }

    private async Task<string> ReadHeadAsync(SslStream tls)
    {
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await tls.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                break;
            }

            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return head.ToString();
    }
}
