namespace Lamina.Testing;

/// <summary>The files and ports one etcd + kube-apiserver pair is started with.</summary>
public sealed record ApiServerLaunch(
    string WorkDirectory,
    int EtcdClientPort,
    int EtcdPeerPort,
    int ApiServerPort)
{
    /// <summary>etcd's data folder.</summary>
    public string EtcdDataDirectory => Path.Combine(WorkDirectory, "etcd");

    /// <summary>The static token file: one admin token in system:masters.</summary>
    public string TokenFile => Path.Combine(WorkDirectory, "tokens.csv");

    /// <summary>The RSA key that signs and verifies service-account tokens.</summary>
    public string ServiceAccountKeyFile => Path.Combine(WorkDirectory, "service-account.key");

    /// <summary>The serving certificate (PEM).</summary>
    public string ServingCertificateFile => Path.Combine(WorkDirectory, "serving.crt");

    /// <summary>The serving certificate's key (PEM).</summary>
    public string ServingKeyFile => Path.Combine(WorkDirectory, "serving.key");

    /// <summary>The API server's address.</summary>
    public Uri Endpoint => new($"https://127.0.0.1:{ApiServerPort}");
}

/// <summary>Command lines for etcd and kube-apiserver 1.20, built from a <see cref="ApiServerLaunch"/> alone.</summary>
public static class ApiServerArguments
{
    /// <summary>A single-member etcd on loopback; both ports are explicit so fixtures never share one.</summary>
    public static IReadOnlyList<string> Etcd(ApiServerLaunch launch)
    {
        var client = $"http://127.0.0.1:{launch.EtcdClientPort}";
        var peer = $"http://127.0.0.1:{launch.EtcdPeerPort}";
        return
        [
            "--name=fixture",
            $"--data-dir={launch.EtcdDataDirectory}",
            $"--listen-client-urls={client}",
            $"--advertise-client-urls={client}",
            $"--listen-peer-urls={peer}",
            $"--initial-advertise-peer-urls={peer}",
            $"--initial-cluster=fixture={peer}",
            // A test's data is worth nothing after the test: skip the compaction history.
            "--auto-compaction-retention=1",
        ];
    }

    /// <summary>
    /// kube-apiserver serving only on loopback. There is no controller-manager, so the
    /// ServiceAccount admission plugin (which waits for token controllers) is off; there are no
    /// endpoints to reconcile either.
    /// </summary>
    public static IReadOnlyList<string> ApiServer(ApiServerLaunch launch) =>
    [
        $"--etcd-servers=http://127.0.0.1:{launch.EtcdClientPort}",
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        $"--secure-port={launch.ApiServerPort}",
        // 1.20 still opens an unauthenticated port 8080 unless told not to.
        "--insecure-port=0",
        $"--tls-cert-file={launch.ServingCertificateFile}",
        $"--tls-private-key-file={launch.ServingKeyFile}",
        $"--cert-dir={Path.Combine(launch.WorkDirectory, "certs")}",
        $"--token-auth-file={launch.TokenFile}",
        "--authorization-mode=RBAC",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        // The audience of tokens that name none; stated rather than left to the issuer's default, so
        // TokenRequest and TokenReview (the gateway's code endpoint) behave as on a real cluster.
        "--api-audiences=https://kubernetes.default.svc.cluster.local",
        $"--service-account-key-file={launch.ServiceAccountKeyFile}",
        $"--service-account-signing-key-file={launch.ServiceAccountKeyFile}",
        "--service-cluster-ip-range=10.0.0.0/24",
        "--endpoint-reconciler-type=none",
        "--disable-admission-plugins=ServiceAccount",
        "--allow-privileged=true",
        "--profiling=false",
    ];
}
