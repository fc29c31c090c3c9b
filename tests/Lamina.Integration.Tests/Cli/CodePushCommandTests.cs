using System.IO.Compression;
using System.Security.Cryptography;
using Lamina.Cli;
using Lamina.Integration.Tests.CodeStore;
using Lamina.Testing;

namespace Lamina.Integration.Tests.Cli;

/// <summary><c>lamina code push</c> end to end against a real docker-registry, through its entry point with its output captured.</summary>
[Trait(TestTiers.Category, TestTiers.Integration)]
public sealed class CodePushCommandTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lamina-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Push_FunctionZip_PrintsDigestSizeCodeSha256AndTheSpecLines()
    {
        var zip = MakeZip("function.zip", ("index.mjs", "export const handler = async () => 'hi';"));
        var bytes = await File.ReadAllBytesAsync(zip);
        var hash = SHA256.HashData(bytes);
        var hex = Convert.ToHexStringLower(hash);

        var (code, stdout, stderr) = await RunAsync("code", "push", zip, "--namespace", "team-a");

        Assert.True(code == 0, stderr);
        Assert.Equal(
            $"""
            sha256: {hex}
            size: {bytes.Length}
            codeSha256: {Convert.ToBase64String(hash)}
            repository: lamina/team-a
            tag: sha256-{hex}

            # the Function's spec (under spec:) in namespace team-a:
            code:
              zip:
                sha256: {hex}
                size: {bytes.Length}

            """,
            stdout);
        await using var blob = await fixture.Store().OpenBlobAsync("team-a", hex, CancellationToken.None);
        using var read = new MemoryStream();
        await blob!.Content.CopyToAsync(read);
        Assert.Equal(bytes, read.ToArray());
    }

    [Fact]
    public async Task Push_Layer_PrintsTheLayersLines()
    {
        var zip = MakeZip("layer.zip", ("nodejs/node_modules/left-pad/index.js", "module.exports = s => s;"));
        var bytes = await File.ReadAllBytesAsync(zip);
        var hex = Convert.ToHexStringLower(SHA256.HashData(bytes));

        var (code, stdout, stderr) = await RunAsync("code", "push", zip, "-n", "team-a", "--layer");

        Assert.True(code == 0, stderr);
        Assert.EndsWith($"layers:\n- sha256: {hex}\n  size: {bytes.Length}\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_NotAZip_RefusedBeforeAnyUpload()
    {
        var file = Path.Combine(_folder, "notes.zip");
        await File.WriteAllTextAsync(file, "this is not a zip");

        var (code, stdout, stderr) = await RunAsync("code", "push", file, "--namespace", "team-a");

        Assert.Equal(CliProgram.Failed, code);
        Assert.Empty(stdout);
        Assert.Contains("is not a zip", stderr, StringComparison.Ordinal);
        Assert.Null(await fixture.Store().OpenBlobAsync("team-a", Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file))), CancellationToken.None));
    }

    [Fact]
    public async Task Push_WrongPassword_FailsWithTheRegistrysRefusal()
    {
        var zip = MakeZip("function.zip", ("app.py", "def handler(e, c): return 1"));
        var wrong = Path.Combine(_folder, "wrong");
        await File.WriteAllTextAsync(wrong, "nope\n");

        var (code, stdout, stderr) = await RunAsync("code", "push", zip, "--namespace", "team-a", "--password-file", wrong);

        Assert.Equal(CliProgram.Failed, code);
        Assert.Empty(stdout);
        Assert.Contains("401", stderr, StringComparison.Ordinal);
        Assert.Contains($"user '{fixture.Registry.Username}'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_NoNamespace_UsageError()
    {
        var zip = MakeZip("function.zip", ("bootstrap", "#!/bin/sh"));

        var (code, _, stderr) = await RunAsync("code", "push", zip);

        Assert.Equal(CliProgram.Usage, code);
        Assert.Contains("--namespace is required", stderr, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        // The store and its credentials from the environment, as make code-push passes them.
        var environment = new Dictionary<string, string>
        {
            [CodePushArguments.StoreVariable] = fixture.Registry.Url.ToString(),
            [CodePushArguments.UsernameVariable] = fixture.Registry.Username,
            [CodePushArguments.PasswordFileVariable] = fixture.Registry.PasswordFile,
        };
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var code = await CliProgram.RunAsync(args, stdout, stderr, name => environment.GetValueOrDefault(name), CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string MakeZip(string name, params (string Path, string Content)[] entries)
    {
        var path = Path.Combine(_folder, name);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var (entryPath, content) in entries)
            {
                using var writer = new StreamWriter(zip.CreateEntry(entryPath).Open());
                writer.Write(content);
            }
        }

        return path;
    }
}
