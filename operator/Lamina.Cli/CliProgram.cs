namespace Lamina.Cli;

/// <summary>The command line's dispatch: <c>lamina code push …</c>. Exit codes: 0 done, 1 failed, 2 wrong usage.</summary>
internal static class CliProgram
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    public const string UsageText = """
        usage: lamina code push <file.zip> --namespace <ns> [--layer]
                                [--store <url>] [--username <user> --password-file <file>]
                                [--insecure-skip-tls-verify]

        Puts a function's zip (or, with --layer, a layer's) into the code store, in the repository of
        <ns>, and prints its SHA-256, its size, Lambda's CodeSha256 and the lines for the Function's spec.
        --store, --username and --password-file default to $LAMINA_CODE_STORE,
        $LAMINA_CODE_STORE_USERNAME and $LAMINA_CODE_STORE_PASSWORD_FILE. make code-push wraps it for
        make up's cluster (docs/code-store.md).
        """;

    /// <summary>Runs the command line <paramref name="args"/>; <paramref name="environment"/> reads environment variables.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args is ["code", "push", .. var rest])
        {
            if (!CodePushArguments.TryParse(rest, environment, out var push, out var problem))
            {
                await stderr.WriteLineAsync($"lamina: {problem}\n\n{UsageText}").ConfigureAwait(false);
                return Usage;
            }

            return await CodePushCommand.RunAsync(push!, stdout, stderr, cancellationToken).ConfigureAwait(false);
        }

        var help = args is [] or ["help"] or ["--help"] or ["-h"];
        await (help ? stdout : stderr).WriteLineAsync(UsageText).ConfigureAwait(false);
        return help ? Ok : Usage;
    }
}
