using Lamina.Contracts.Code;
using Lamina.RuntimeShim.Hosting;

namespace Lamina.RuntimeShim.Code;

/// <summary>
/// Parses <c>runtime-shim fetch [options]</c> (<see cref="CodeFetchContract"/>): the operator writes this
/// command line, so every bad option is refused with a reason rather than guessed at.
/// </summary>
internal static class FetchCommandLine
{
    /// <summary>Not in the contract: only the shim's own tests and local runs change it.</summary>
    public const string TerminationLogOption = "--termination-log";

    public const string Usage = """
          runtime-shim fetch --code sha256:<hex>:<size> [--code-file <path>] [--layer sha256:<hex>:<size>]...
                             --store <url> --namespace <ns> --token-file <path> [--task <dir>] [--opt <dir>]
                                                          fetch the function's zip and layers by digest, verify
                                                          them and unpack them into --task and --opt
        """;

    public const string OptionsUsage = """
        Fetch options:
          --code sha256:<hex>:<size>   the function's zip (64 lowercase hex digits, size in bytes); required
          --code-file <path>           read the zip from this file (a mounted ConfigMap key), still verified against --code
          --layer sha256:<hex>:<size>  a layer, unpacked into --opt after the ones before it (at most 5)
          --store <url>                the gateway's code endpoint (http:// or https://); needed unless every blob is a file
          --namespace <ns>             the pod's own namespace, whose blobs these are
          --token-file <path>          the projected ServiceAccount token, sent as a Bearer token, read again per request
          --task <dir>                 where the zip is unpacked (default /var/task)
          --opt <dir>                  where the layers are unpacked (default /opt)
          --termination-log <path>     where a failure's reason is also written (default /dev/termination-log)
        """;

    // A DNS-1123 label, as Kubernetes names namespaces.
    private const int MaximumNamespaceLength = 63;

    /// <summary>Parses <paramref name="args"/>, whose first element is <see cref="CodeFetchContract.Command"/>.</summary>
    public static ShimCommand Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var layers = new List<BlobDigest>();
        string? terminationLog = null;
        for (var index = 1; index < args.Count; index++)
        {
            var option = args[index];
            if (option is "-h" or "--help")
            {
                return new ShimCommand.Help();
            }

            if (option is not (CodeFetchContract.CodeOption or CodeFetchContract.CodeFileOption or CodeFetchContract.LayerOption
                or CodeFetchContract.StoreOption or CodeFetchContract.NamespaceOption or CodeFetchContract.TokenFileOption
                or CodeFetchContract.TaskOption or CodeFetchContract.OptOption or TerminationLogOption))
            {
                return Invalid($"fetch: unknown option '{option}'", terminationLog);
            }

            if (index + 1 >= args.Count || args[index + 1].Length == 0)
            {
                return Invalid($"fetch: {option} needs a value", terminationLog);
            }

            var value = args[++index];
            if (option == CodeFetchContract.LayerOption)
            {
                if (!BlobDigest.TryParse(value, out var layer, out var error))
                {
                    return Invalid($"fetch: {option} {error}", terminationLog);
                }

                if (layers.Count == CodeFetchContract.MaxLayers)
                {
                    return Invalid($"fetch: more than {CodeFetchContract.MaxLayers} layers (Lambda's limit)", terminationLog);
                }

                layers.Add(layer);
                continue;
            }

            if (!values.TryAdd(option, value))
            {
                return Invalid($"fetch: {option} given twice", terminationLog);
            }

            if (option == TerminationLogOption)
            {
                terminationLog = value;
            }
        }

        return Build(values, layers, terminationLog);
    }

    private static ShimCommand Build(Dictionary<string, string> values, List<BlobDigest> layers, string? terminationLog)
    {
        if (!values.TryGetValue(CodeFetchContract.CodeOption, out var codeText))
        {
            return Invalid($"fetch: {CodeFetchContract.CodeOption} sha256:<hex>:<size> is required", terminationLog);
        }

        if (!BlobDigest.TryParse(codeText, out var code, out var codeError))
        {
            return Invalid($"fetch: {CodeFetchContract.CodeOption} {codeError}", terminationLog);
        }

        if (code.Size > CodeFetchContract.MaxUnzippedBytes)
        {
            return Invalid($"fetch: {CodeFetchContract.CodeOption} is {code.Size} bytes, above the 250 MB ({CodeFetchContract.MaxUnzippedBytes} bytes) Lambda allows unzipped", terminationLog);
        }

        foreach (var layer in layers)
        {
            if (layer.Size > CodeFetchContract.MaxUnzippedBytes)
            {
                return Invalid($"fetch: {CodeFetchContract.LayerOption} {layer} is {layer.Size} bytes, above the 250 MB ({CodeFetchContract.MaxUnzippedBytes} bytes) Lambda allows unzipped", terminationLog);
            }
        }

        values.TryGetValue(CodeFetchContract.CodeFileOption, out var codeFile);
        var task = values.GetValueOrDefault(CodeFetchContract.TaskOption, CodeFetchContract.TaskPath);
        var opt = values.GetValueOrDefault(CodeFetchContract.OptOption, CodeFetchContract.OptPath);
        if (CheckFolders(task, opt) is { } folderError)
        {
            return Invalid(folderError, terminationLog);
        }

        var options = new FetchOptions
        {
            Code = code,
            CodeFile = codeFile,
            Layers = layers,
            Task = Path.TrimEndingDirectorySeparator(Path.GetFullPath(task)),
            Opt = Path.TrimEndingDirectorySeparator(Path.GetFullPath(opt)),
            TerminationLog = terminationLog ?? TerminationMessage.DefaultPath,
        };
        if (!options.NeedsStore)
        {
            return new ShimCommand.Fetch(options);
        }

        foreach (var required in (ReadOnlySpan<string>)[CodeFetchContract.StoreOption, CodeFetchContract.NamespaceOption, CodeFetchContract.TokenFileOption])
        {
            if (!values.ContainsKey(required))
            {
                return Invalid($"fetch: {required} is required to fetch from the code store", terminationLog);
            }
        }

        var storeText = values[CodeFetchContract.StoreOption];
        if (!Uri.TryCreate(storeText, UriKind.Absolute, out var store)
            || store.Scheme is not ("http" or "https")
            || store.UserInfo.Length > 0 || store.Query.Length > 0 || store.Fragment.Length > 0)
        {
            return Invalid($"fetch: {CodeFetchContract.StoreOption} '{storeText}' is not an http:// or https:// URL without credentials, query or fragment", terminationLog);
        }

        var @namespace = values[CodeFetchContract.NamespaceOption];
        if (!IsNamespace(@namespace))
        {
            return Invalid($"fetch: {CodeFetchContract.NamespaceOption} '{@namespace}' is not a Kubernetes namespace name (lowercase letters, digits and '-', at most 63)", terminationLog);
        }

        return new ShimCommand.Fetch(options with
        {
            Store = store,
            Namespace = @namespace,
            TokenFile = values[CodeFetchContract.TokenFileOption],
        });
    }

    /// <summary>
    /// Both absolute and apart: the layers must not land inside the function's code or the other way
    /// round, or one zip could replace files of the other after it was unpacked.
    /// </summary>
    private static string? CheckFolders(string task, string opt)
    {
        foreach (var (option, folder) in (ReadOnlySpan<(string, string)>)[(CodeFetchContract.TaskOption, task), (CodeFetchContract.OptOption, opt)])
        {
            if (!Path.IsPathFullyQualified(folder) || Path.TrimEndingDirectorySeparator(folder) == "/")
            {
                return $"fetch: {option} '{folder}' must be an absolute path other than /";
            }
        }

        var fullTask = Path.GetFullPath(task).TrimEnd('/') + "/";
        var fullOpt = Path.GetFullPath(opt).TrimEnd('/') + "/";
        return fullTask.StartsWith(fullOpt, StringComparison.Ordinal) || fullOpt.StartsWith(fullTask, StringComparison.Ordinal)
            ? $"fetch: {CodeFetchContract.TaskOption} '{task}' and {CodeFetchContract.OptOption} '{opt}' must be apart, neither inside the other"
            : null;
    }

    private static bool IsNamespace(string value)
    {
        if (value.Length is 0 or > MaximumNamespaceLength || value[0] == '-' || value[^1] == '-')
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static ShimCommand.Invalid Invalid(string message, string? terminationLog) =>
        new(message) { TerminationLog = terminationLog ?? TerminationMessage.DefaultPath };
}
