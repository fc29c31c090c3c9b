namespace Lamina.Gateway.Invoke;

/// <summary>How the gateway names things for callers (section Lamina:Gateway).</summary>
internal sealed class GatewayOptions
{
    /// <summary>The region in ARNs (any region a client signs for is accepted).</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>The account id in ARNs: Lamina has no accounts, so a fixed, obviously local one.</summary>
    public string AccountId { get; set; } = "000000000000";

    public string FunctionArn(string qualifiedName) => $"arn:aws:lambda:{Region}:{AccountId}:function:{qualifiedName}";
}
