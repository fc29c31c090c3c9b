using Microsoft.Extensions.Options;

namespace Lamina.CodeStore;

/// <summary>Refuses code store settings that could only fail later, at a cold start.</summary>
internal sealed class CodeStoreOptionsValidator : IValidateOptions<CodeStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, CodeStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var section = CodeStoreOptions.Section;
        if (options.IsConfigured)
        {
            if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
                || !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment) || !string.IsNullOrEmpty(url.UserInfo))
            {
                // Never the URL's user info: it could hold a password.
                failures.Add($"{section}:Url must be an absolute http:// or https:// URL without credentials, query or fragment (the registry's base, e.g. http://lamina-code-store.lamina-system.svc:5000)");
            }
            else if (options.InsecureSkipTlsVerify && url.Scheme != Uri.UriSchemeHttps)
            {
                failures.Add($"{section}:InsecureSkipTlsVerify is set but {section}:Url is not https: it would mean nothing, so it is refused as a likely mistake");
            }
        }
        else if (options.Username.Length > 0 || options.PasswordFile.Length > 0)
        {
            failures.Add($"{section}:Username or PasswordFile is set but {section}:Url is empty: set the registry's URL too");
        }

        if ((options.Username.Length > 0) != (options.PasswordFile.Length > 0))
        {
            failures.Add($"{section}:Username and {section}:PasswordFile go together: set both, or neither for an anonymous registry");
        }
        else if (options.PasswordFile.Length > 0 && !File.Exists(options.PasswordFile))
        {
            failures.Add($"{section}:PasswordFile '{options.PasswordFile}' does not exist (the mounted Secret's key)");
        }

        if (options.ResponseTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{section}:ResponseTimeout must be positive");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
