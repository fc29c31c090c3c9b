using Microsoft.Extensions.Options;

namespace Lamina.Gateway.Auth;

/// <summary>Refuses to start with settings that cannot work: namespace names Kubernetes would not accept.</summary>
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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
