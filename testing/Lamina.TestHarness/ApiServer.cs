using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Lamina.Kubernetes.Client;

namespace Lamina.Testing;

/// <summary>
/// etcd and kube-apiserver on free loopback ports with a temporary data folder: what
/// controller-runtime calls envtest. Tests take it as <c>ApiServerFixture</c> (Lamina.Testing: the
/// same, as an xunit collection fixture); the bench starts and disposes one itself. Several can run
/// at once. No controller-manager or kubelet runs, so objects are stored but nothing acts on them.
/// </summary>
public class ApiServer
{
    /// <summary>kube-apiserver answers /readyz after 10–25 s on two busy cores; allow for a slow CI.</summary>
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Free ports can be taken by another process between picking and binding: retry a few times.</summary>
    private const int StartAttempts = 3;

    private SupervisedProcess? _etcd;
    private SupervisedProcess? _apiServer;
    private ApiServerLaunch? _launch;

    /// <summary>The API server's address (https, loopback).</summary>
    public Uri Endpoint => Launch.Endpoint;

    /// <summary>The CA that signed the API server's certificate, in PEM.</summary>
    public string CertificateAuthorityPem { get; private set; } = "";

    /// <summary>A bearer token in <c>system:masters</c>.</summary>
    public string Token { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    /// <summary>The fixture's temporary folder (data, certificates and the two logs).</summary>
    public string WorkDirectory => Launch.WorkDirectory;

    /// <summary>etcd's client address (plain http, loopback), e.g. for its v3 JSON gateway (<c>/v3/kv/compaction</c>).</summary>
    public Uri EtcdClientEndpoint => new($"http://127.0.0.1:{Launch.EtcdClientPort}");

    /// <summary>The library's client configuration for this server: its endpoint, only its CA, the admin token.</summary>
    public k8s.KubernetesClientConfiguration ClientConfiguration => new()
    {
        Host = Endpoint.GetLeftPart(UriPartial.Authority),
        SslCaCerts = [X509Certificate2.CreateFromPem(CertificateAuthorityPem)],
        AccessToken = Token,
    };

    private ApiServerLaunch Launch => _launch ?? throw new InvalidOperationException("the fixture has not started");

    /// <summary>The library's client for this server, as the admin; dispose it after use.</summary>
    public k8s.Kubernetes CreateKubernetes() => new(ClientConfiguration);

    /// <summary>Lamina's seam over a new library client for this server, as the admin; dispose it after use.</summary>
    public KubernetesObjectClient CreateKubernetesClient() => new(CreateKubernetes(), disposeKubernetes: true);

    /// <summary>
    /// Writes a kubeconfig for this server (context <c>fixture</c>, the CA inline, the admin token)
    /// that kubectl and the library's <see cref="k8s.KubernetesClientConfiguration"/> accept. With
    /// <paramref name="execPlugin"/> the user is an exec credential plugin, as EKS, GKE and AKS
    /// kubeconfigs are: a script beside the file prints an <c>ExecCredential</c> with the token and
    /// appends a line to <c>&lt;path&gt;.exec-calls</c> on every call, so a test can tell it ran.
    /// </summary>
    public void WriteKubeconfig(string path, string? defaultNamespace = null, bool execPlugin = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var authority = Convert.ToBase64String(Encoding.UTF8.GetBytes(CertificateAuthorityPem));
        var namespaceLine = defaultNamespace is null ? "" : $"\n    namespace: {defaultNamespace}";
        var user = $"    token: {Token}";
        if (execPlugin)
        {
            var plugin = path + ".exec-plugin.sh";
            File.WriteAllText(plugin, $$$"""
                #!/bin/sh
                echo called >> '{{{path}}}.exec-calls'
                printf '%s\n' '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"{{{Token}}}"}}'

                """);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            user = $"""
                    exec:
                      apiVersion: client.authentication.k8s.io/v1beta1
                      command: {plugin}
                      interactiveMode: Never
                """;
        }

        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fixture
              cluster:
                server: {Endpoint.GetLeftPart(UriPartial.Authority)}
                certificate-authority-data: {authority}
            users:
            - name: admin
              user:
            {user}
            contexts:
            - name: fixture
              context:
                cluster: fixture
                user: admin{namespaceLine}
            current-context: fixture

            """);
    }

    /// <summary>An HttpClient for the API server: trusts only its CA and sends the admin token.</summary>
    public HttpClient CreateHttpClient()
    {
        var client = new HttpClient(TestCertificates.CreateTrustingHandler(CertificateAuthorityPem), disposeHandler: true)
        {
            BaseAddress = Endpoint,
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return client;
    }

    /// <summary>Starts etcd and kube-apiserver and returns once /readyz answers.</summary>
    public async Task InitializeAsync()
    {
        var binaries = KubernetesBinaries.Locate(RepositoryLayout.Discover());
        for (var attempt = 1; ; attempt++)
        {
            var started = await TryStartAsync(binaries).ConfigureAwait(false);
            if (started is null)
            {
                return;
            }

            var retry = started.PortClash && attempt < StartAttempts;
            // Keep the folder of a real failure: the message points at its logs.
            await StopAsync(deleteWorkDirectory: retry).ConfigureAwait(false);
            if (!retry)
            {
                throw new InvalidOperationException(started.Message);
            }
        }
    }

    /// <summary>Set <c>LAMINA_KEEP_FIXTURE=1</c> to keep the fixture's folder (data, logs) after the run.</summary>
    public Task DisposeAsync() =>
        StopAsync(deleteWorkDirectory: Environment.GetEnvironmentVariable("LAMINA_KEEP_FIXTURE") != "1");

    private sealed record StartFailure(string Message, bool PortClash);

    private async Task<StartFailure?> TryStartAsync(KubernetesBinaries binaries)
    {
        var workDirectory = Directory.CreateTempSubdirectory("lamina-apiserver-").FullName;
        _launch = new ApiServerLaunch(workDirectory, FreePort.Next(), FreePort.Next(), FreePort.Next());
        WriteCredentials(_launch);

        _etcd = SupervisedProcess.Start(binaries.Etcd, ApiServerArguments.Etcd(_launch), Path.Combine(workDirectory, "etcd.log"));
        var etcdHealth = new Uri($"http://127.0.0.1:{_launch.EtcdClientPort}/health");
        using (var plain = new HttpClient())
        {
            var failure = await WaitUntilHealthyAsync(_etcd, plain, etcdHealth).ConfigureAwait(false);
            if (failure is not null)
            {
                return failure;
            }
        }

        _apiServer = SupervisedProcess.Start(binaries.KubeApiServer, ApiServerArguments.ApiServer(_launch), Path.Combine(workDirectory, "kube-apiserver.log"));
        using var client = CreateHttpClient();
        return await WaitUntilHealthyAsync(_apiServer, client, new Uri(Endpoint, "/readyz")).ConfigureAwait(false);
    }

    private void WriteCredentials(ApiServerLaunch launch)
    {
        using var certificates = TestCertificates.Create(DateTimeOffset.UtcNow);
        CertificateAuthorityPem = certificates.AuthorityPem;
        File.WriteAllText(launch.ServingCertificateFile, certificates.ServingPem);
        File.WriteAllText(launch.ServingKeyFile, certificates.ServingKeyPem);
        using var serviceAccountKey = RSA.Create(2048);
        File.WriteAllText(launch.ServiceAccountKeyFile, serviceAccountKey.ExportRSAPrivateKeyPem());
        File.WriteAllText(launch.TokenFile, $"{Token},admin,admin,system:masters\n");
    }

    /// <summary>Polls <paramref name="health"/> until it answers 200, the process exits, or the deadline passes.</summary>
    private static async Task<StartFailure?> WaitUntilHealthyAsync(SupervisedProcess process, HttpClient client, Uri health)
    {
        using var deadline = new CancellationTokenSource(ReadyTimeout);
        while (true)
        {
            if (process.HasExited)
            {
                var tail = process.LogTail();
                return new StartFailure(
                    $"{process.Name} exited with code {process.ExitCode} while starting (log: {process.LogPath}):\n{tail}",
                    PortClash: tail.Contains("address already in use", StringComparison.Ordinal));
            }

            try
            {
                using var response = await client.GetAsync(health, deadline.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return null;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                // Reported below.
            }

            if (deadline.IsCancellationRequested)
            {
                return new StartFailure(
                    $"{process.Name} did not become healthy at {health} within {ReadyTimeout.TotalSeconds} s (log: {process.LogPath}):\n{process.LogTail()}",
                    PortClash: false);
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The next loop turn reports the deadline.
            }
        }
    }

    private async Task StopAsync(bool deleteWorkDirectory)
    {
        // The API server first: it would otherwise spend its shutdown retrying a dead etcd.
        if (_apiServer is not null)
        {
            await _apiServer.DisposeAsync().ConfigureAwait(false);
            _apiServer = null;
        }

        if (_etcd is not null)
        {
            await _etcd.DisposeAsync().ConfigureAwait(false);
            _etcd = null;
        }

        if (deleteWorkDirectory && _launch is not null && Directory.Exists(_launch.WorkDirectory))
        {
            Directory.Delete(_launch.WorkDirectory, recursive: true);
        }
    }
}
