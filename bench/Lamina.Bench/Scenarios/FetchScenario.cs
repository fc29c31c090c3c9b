using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Lamina.Bench.Reporting;
using Lamina.Contracts.Code;
using Lamina.Testing;

namespace Lamina.Bench.Scenarios;

/// <summary>
/// <c>fetch</c>: the cold start's code phase alone. The published shim's <c>runtime-shim fetch</c>
/// (download with the token, SHA-256 and size while streaming, safe unpack with CRC checks) of zips of
/// about 10 KB, 5 MB and 50 MB, against <c>curl -o</c> + <c>unzip</c> of the same blob from the same
/// server (B6), and the same with <c>sha256sum</c> between (B7, the baseline that also verifies).
/// Each side is a fresh process per fetch, as in a pod, and the sides alternate so drift hits both.
/// </summary>
/// <remarks>
/// The blobs come from a loopback stand-in for the gateway's code endpoint (<see cref="LoopbackCodeStore"/>),
/// not from the registry the issue names: the registry and the gateway's endpoint are built beside
/// this. Everything below the store's setup uses only its URL, namespace and token, so the real
/// endpoint can take its place by changing <see cref="StartStore"/>.
/// </remarks>
internal sealed partial class FetchScenario : IScenario
{
    private const string Namespace = "bench";
    private const string Token = "bench-token";

    // About the sizes the issue names; the zip's own size is what is reported.
    private static readonly (string Label, int Bytes)[] Sizes = [("10 KB", 10 * 1024), ("5 MB", 5 * 1024 * 1024), ("50 MB", 50 * 1024 * 1024)];

    public string Name => "fetch";

    public string Summary => "runtime-shim fetch (download, SHA-256, safe unpack) of 10 KB, 5 MB and 50 MB zips from a loopback code endpoint vs curl -o + unzip (B6) and curl + sha256sum + unzip (B7) of the same blob";

    public bool NeedsCluster => false;

    public async Task RunAsync(ScenarioRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var report = run.Report;
        var shim = run.Shim;
        var repetitions = run.SizeOr(15, 1);
        var work = Directory.CreateTempSubdirectory("lamina-bench-fetch-").FullName;
        try
        {
            using var store = StartStore(out var storeUrl);
            var tokenFile = Path.Combine(work, "token");
            await File.WriteAllTextAsync(tokenFile, Token);
            report.Say($"== fetch: {shim} fetch vs curl + unzip, {repetitions} fetches per size and side, from a loopback code endpoint ({storeUrl}) ==");
            foreach (var (label, bytes) in run.Smoke ? Sizes[..1] : Sizes)
            {
                var zip = BuildZip(bytes);
                var hex = Convert.ToHexStringLower(SHA256.HashData(zip));
                store.Add(Namespace, hex, zip);
                var blobUrl = storeUrl.GetLeftPart(UriPartial.Authority) + CodeFetchContract.BlobPath(Namespace, hex);
                var target = Path.Combine(work, "task");
                var blob = Path.Combine(work, "blob.zip");
                string[] shimArguments = ["fetch", "--code", $"sha256:{hex}:{zip.Length}", "--store", storeUrl.ToString(), "--namespace", Namespace,
                    "--token-file", tokenFile, "--task", target, "--termination-log", Path.Combine(work, "no-termination-log")];
                List<double> shimSamples = [], curlSamples = [], verifiedSamples = [];
                List<(double Fetch, double Verify, double Unpack)> phases = [];
                // One uncounted round first: the server's first answers and the page cache warm up for every side.
                for (var i = -1; i < repetitions; i++)
                {
                    var counted = i >= 0;
                    Reset(target, blob);
                    var (shimMs, output) = await TimeAsync(shim, shimArguments);
                    if (counted)
                    {
                        phases.Add(Phases(output));
                        shimSamples.Add(shimMs);
                    }

                    Reset(target, blob);
                    var curl = (await TimeAsync("curl", ["-sf", "-H", $"Authorization: Bearer {Token}", "-o", blob, blobUrl])).Milliseconds;
                    var unzip = (await TimeAsync("unzip", ["-q", "-o", blob, "-d", target])).Milliseconds;
                    if (counted)
                    {
                        curlSamples.Add(curl + unzip);
                    }

                    Reset(target, blob);
                    var verified = (await TimeAsync("curl", ["-sf", "-H", $"Authorization: Bearer {Token}", "-o", blob, blobUrl])).Milliseconds
                        + (await TimeAsync("sha256sum", [blob])).Milliseconds
                        + (await TimeAsync("unzip", ["-q", "-o", blob, "-d", target])).Milliseconds;
                    if (counted)
                    {
                        verifiedSamples.Add(verified);
                    }
                }

                var @case = $"fetch+unpack {label} (zip {zip.Length / 1024.0:F0} KB)";
                var shimSeries = Series.Of(@case, "lamina (runtime-shim fetch)", shimSamples);
                var curlSeries = Series.Of(@case, "B6 curl + unzip", curlSamples);
                var verifiedSeries = Series.Of(@case, "B7 curl + sha256sum + unzip", verifiedSamples);
                report.Series.Add(shimSeries);
                report.Series.Add(curlSeries);
                report.Series.Add(verifiedSeries);
                var ratio = shimSeries.Latency.P50 / curlSeries.Latency.P50;
                var verifiedRatio = shimSeries.Latency.P50 / verifiedSeries.Latency.P50;
                report.Ratios.Add(new RatioResult($"{label}: runtime-shim fetch p50 / curl + unzip p50", ratio));
                report.Ratios.Add(new RatioResult($"{label}: runtime-shim fetch p50 / curl + sha256sum + unzip p50", verifiedRatio));
                var (fetchMs, verifyMs, unpackMs) = (Median(phases.Select(p => p.Fetch)), Median(phases.Select(p => p.Verify)), Median(phases.Select(p => p.Unpack)));
                report.Say($"fetch {label} (zip {zip.Length} bytes): runtime-shim fetch p50 {shimSeries.Latency.P50:F1} ms (its own phases: fetch {fetchMs:F0}, verify {verifyMs:F0}, unpack {unpackMs:F0} ms), "
                    + $"curl + unzip p50 {curlSeries.Latency.P50:F1} ms ({ratio:F2}x), curl + sha256sum + unzip p50 {verifiedSeries.Latency.P50:F1} ms ({verifiedRatio:F2}x)");
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The code endpoint the blobs are fetched from: today a loopback stand-in; the registry-backed gateway endpoint goes here.</summary>
    private static LoopbackCodeStore StartStore(out Uri url)
    {
        var store = LoopbackCodeStore.Start();
        store.Token = Token;
        url = store.Url;
        return store;
    }

    /// <summary>
    /// A zip of about <paramref name="bytes"/>, shaped like function code: many files, half source-like
    /// text (deflates about 4×) and half already-compressed bytes (does not), from a fixed seed.
    /// </summary>
    private static byte[] BuildZip(int bytes)
    {
        var random = new Random(21);
        var fileSize = Math.Clamp(bytes / 100, 1024, 64 * 1024);
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, fileSize / 40 + 1).Select(i => $"export const value{i} = compute({i}, 'x');\n")))[..fileSize];
        using var stream = new MemoryStream();
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var i = 0; stream.Length < bytes; i++)
            {
                var entry = archive.CreateEntry($"node_modules/pkg{i % 50}/file{i}.{(i % 2 == 0 ? "js" : "bin")}");
                entry.ExternalAttributes = (0x8000 | 0x1A4) << 16;
                using var content = entry.Open();
                if (i % 2 == 0)
                {
                    content.Write(text);
                }
                else
                {
                    var noise = new byte[fileSize];
                    random.NextBytes(noise);
                    content.Write(noise);
                }
            }
        }

        return stream.ToArray();
    }

    private static void Reset(string target, string blob)
    {
        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }

        Directory.CreateDirectory(target);
        File.Delete(blob);
    }

    /// <summary>Runs <paramref name="program"/> to its end; its wall time and stdout. A failure stops the scenario with its output.</summary>
    private static async Task<(double Milliseconds, string Output)> TimeAsync(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var elapsed = clock.Elapsed.TotalMilliseconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}{await output}");
        }

        return (elapsed, await output);
    }

    /// <summary>The shim's own split of its time, from its success line.</summary>
    private static (double Fetch, double Verify, double Unpack) Phases(string output)
    {
        var match = PhasesPattern().Match(output);
        if (!match.Success)
        {
            throw new InvalidOperationException($"runtime-shim fetch printed no phases: {output}");
        }

        return (double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
            double.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture),
            double.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    [GeneratedRegex(@"fetch (\d+) ms, verify (\d+) ms, unpack (\d+) ms")]
    private static partial Regex PhasesPattern();
}
