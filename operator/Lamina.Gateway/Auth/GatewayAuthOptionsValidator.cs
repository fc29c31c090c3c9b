using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Auth;

/// <summary>Refuses to start with settings that cannot work: namespace names Kubernetes would not accept, a signature window outside 1 s to 15 min.</summary>
internal sealed class GatewayAuthOptionsValidator : IValidateOptions<GatewayAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Mode))
        {
            failures.Add($"{GatewayAuthOptions.Section}:Mode: '{options.Mode}' is neither SigV4 nor None");
        }

        if (options.AccessKeyNamespace.Length > 0 && !AccessKeySecret.IsNamespaceName(options.AccessKeyNamespace))
        {
            failures.Add($"{GatewayAuthOptions.Section}:AccessKeyNamespace: '{options.AccessKeyNamespace}' is not a namespace name");
        }

        if (!AccessKeySecret.IsNamespaceName(options.AnonymousDefaultNamespace))
        {
            failures.Add($"{GatewayAuthOptions.Section}:AnonymousDefaultNamespace: '{options.AnonymousDefaultNamespace}' is not a namespace name");
        }

        if (options.SignatureWindow < TimeSpan.FromSeconds(1) || options.SignatureWindow > GatewayAuthOptions.MaxSignatureWindow
            || options.SignatureWindow.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            failures.Add($"{GatewayAuthOptions.Section}:SignatureWindow: '{options.SignatureWindow}' must be whole seconds from 00:00:01 to 00:15:00 (Lambda's is 00:05:00)");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
