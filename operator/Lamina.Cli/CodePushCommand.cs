using Lamina.CodeStore;
using Lamina.Contracts.Code;
using Microsoft.Extensions.Options;

namespace Lamina.Cli;

/// <summary>
/// <c>lamina code push</c>: checks the zip, stores it, prints what the Function's spec names it by.
/// Standard output holds only the result (key: value lines, then the spec lines), so a script can
/// read it; everything else goes to standard error.
/// </summary>
internal static class CodePushCommand
{
    public static async Task<int> RunAsync(CodePushArguments push, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(push);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (ZipCheck.Problem(push.ZipPath, out var size, out _) is { } problem)
        {
            await stderr.WriteLineAsync($"lamina: {problem}").ConfigureAwait(false);
            return CliProgram.Failed;
        }

        if (size > CodeStoreLimits.DirectUploadBytes)
        {
            await stderr.WriteLineAsync($"lamina: note: {push.ZipPath} is {size} bytes, over Lambda's {CodeStoreLimits.DirectUploadBytes}-byte limit for a direct upload (Lambda would take it through S3); the code store takes it").ConfigureAwait(false);
        }

        var services = new ServiceCollection()
            .AddLogging()
            .AddCodeStore(configure: o =>
            {
                o.Url = push.Store;
                o.Username = push.Username;
                o.PasswordFile = push.PasswordFile;
                o.InsecureSkipTlsVerify = push.InsecureSkipTlsVerify;
            });
        await using var provider = services.BuildServiceProvider();
        try
        {
            var store = provider.GetRequiredService<ICodeStore>();
            var kind = push.Layer ? CodeKind.Layer : CodeKind.Function;
            StoredCode stored;
            var file = new FileStream(push.ZipPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await using (file.ConfigureAwait(false))
            {
                stored = await store.PutAsync(push.Namespace, file, kind, cancellationToken).ConfigureAwait(false);
            }

            await stdout.WriteAsync(Output(stored, push.Namespace, kind)).ConfigureAwait(false);
            return CliProgram.Ok;
        }
        catch (OptionsValidationException e)
        {
            await stderr.WriteLineAsync($"lamina: {string.Join("; ", e.Failures)}").ConfigureAwait(false);
            return CliProgram.Usage;
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync($"lamina: {e.Message}").ConfigureAwait(false);
            return CliProgram.Usage;
        }
        catch (Exception e) when (e is CodeStoreException or CodeTooLargeException or IOException)
        {
            await stderr.WriteLineAsync($"lamina: {e.Message}").ConfigureAwait(false);
            return CliProgram.Failed;
        }
    }

    /// <summary>What a successful push prints: the facts, then the spec lines to paste.</summary>
    public static string Output(StoredCode stored, string @namespace, CodeKind kind)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var spec = kind == CodeKind.Layer
            ? $"layers:\n- sha256: {stored.Sha256Hex}\n  size: {stored.Size}\n"
            : $"code:\n  zip:\n    sha256: {stored.Sha256Hex}\n    size: {stored.Size}\n";
        return $"""
            sha256: {stored.Sha256Hex}
            size: {stored.Size}
            codeSha256: {stored.CodeSha256}
            repository: {CodeFetchContract.Repository(@namespace)}
            tag: {stored.Tag}

            # the Function's spec (under spec:) in namespace {@namespace}:

            """ + spec;
    }
}
