namespace Lamina.Contracts.Tokens;

/// <summary>
/// The gateways' credential towards the shims' invoke contract and the controller's gRPC service:
/// the Secret <see cref="SecretName"/> in the operator's namespace, key <see cref="Key"/>, one token
/// a line. The operator creates it and gives the shims the tokens' hashes; gateways read it and
/// present its first line (docs/concurrency.md).
/// </summary>
public static class InvokeTokenSecretContract
{
    public const string SecretName = "lamina-invoke-token";

    public const string Key = "tokens";
}
