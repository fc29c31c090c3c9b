namespace Lamina.Gateway.Auth;

/// <summary>How the gateway authenticates callers: <c>--auth=sigv4</c> (the default) or <c>--auth=none</c>.</summary>
internal enum AuthMode
{
    /// <summary>AWS Signature Version 4 with access keys from labelled Secrets.</summary>
    SigV4,

    /// <summary>No authentication: local development only.</summary>
    None,
}
