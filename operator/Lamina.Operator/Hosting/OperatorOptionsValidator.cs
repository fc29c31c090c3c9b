using System.Text.RegularExpressions;
using Lamina.Operator.Api;
using Microsoft.Extensions.Options;

namespace Lamina.Operator.Hosting;

/// <summary>Refuses a runtime table or code endpoint that would give function pods an image or a store that cannot work.</summary>
internal sealed partial class OperatorOptionsValidator : IValidateOptions<OperatorOptions>
{
    public ValidateOptionsResult Validate(string? name, OperatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string section = OperatorOptions.Section;
        var failures = new List<string>();
        foreach (var (runtime, settings) in options.Runtimes)
        {
            // The name is what Functions write in spec.runtime, which the CRD's pattern bounds.
            if (!RuntimeName().IsMatch(runtime) || runtime.Length > 63)
            {
                failures.Add($"{section}:Runtimes:{runtime}: a runtime's name is lowercase letters, digits, '.' and '-', at most 63 characters (e.g. nodejs22.x)");
            }

            if (string.IsNullOrWhiteSpace(settings.Image))
            {
                failures.Add($"{section}:Runtimes:{runtime}:Image is required: the image that runs this runtime's functions");
            }
        }

        if (options.CodeEndpoint is { Length: > 0 } endpoint
            && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.PathAndQuery != "/"))
        {
            failures.Add($"{section}:CodeEndpoint must be an http(s) URL without a path, e.g. http://lamina-gateway.lamina-system.svc:8085; it is {endpoint}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex(FunctionDefaults.RuntimePattern)]
    private static partial Regex RuntimeName();
}
