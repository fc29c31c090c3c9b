using System.Globalization;
using System.Text;
using System.Text.Json;
using Lamina.Gateway.Routing;
using StackExchange.Redis;

namespace Lamina.Gateway.Async;

/// <summary>
/// <c>lamina-gateway dead-letter …</c>: what an operator runs to look at and redrive a function's
/// failed async events (docs/async.md). Redis is <c>--redis</c>, else the gateway's own setting
/// (<c>Lamina__Gateway__Async__Redis</c>), so inside a gateway pod no option is needed.
/// </summary>
internal static class DeadLetterCommand
{
    public const string Usage = """
        usage: lamina-gateway dead-letter list <namespace/function> [--count N] [--redis host:port]
               lamina-gateway dead-letter show <namespace/function> <id> [--redis host:port]
               lamina-gateway dead-letter redrive <namespace/function> (<id>|--all) [--redis host:port]
        """;

    /// <summary>The environment variable the gateway reads its Redis connection string from.</summary>
    public const string RedisVariable = "Lamina__Gateway__Async__Redis";

    /// <summary>The environment variable the gateway reads Redis' password from (the chart sets it from a Secret).</summary>
    public const string RedisPasswordVariable = "Lamina__Gateway__Async__RedisPassword";

    /// <summary>The environment variable the gateway reads the event signing key from: a redrive signs the event again.</summary>
    public const string SigningKeyVariable = "Lamina__Gateway__Async__EventSigningKey";

    /// <summary>How many entries <c>list</c> shows unless told: a screenful that still says how many there are.</summary>
    private const int DefaultCount = 50;

    /// <summary>Runs the command; <paramref name="environment"/> reads the variables (the process' own unless a test gives others).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider time, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var positional = new List<string>();
        string? redis = environment(RedisVariable);
        var password = environment(RedisPasswordVariable);
        var signingKey = environment(SigningKeyVariable) ?? "";
        var count = DefaultCount;
        var all = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--redis" when i + 1 < args.Length:
                    redis = args[++i];
                    break;
                case "--count" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0:
                    count = n;
                    i++;
                    break;
                case "--all":
                    all = true;
                    break;
                case var option when option.StartsWith("--", StringComparison.Ordinal):
                    await error.WriteLineAsync($"unknown or incomplete option {option}\n{Usage}").ConfigureAwait(false);
                    return 2;
                default:
                    positional.Add(args[i]);
                    break;
            }
        }

        if (positional is not [var verb, var name, ..] || !AsyncKeys.TryParseMember(name, out var function))
        {
            await error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
        }

        if (string.IsNullOrWhiteSpace(redis))
        {
            await error.WriteLineAsync($"no Redis: pass --redis host:port (or set {RedisVariable})").ConfigureAwait(false);
            return 2;
        }

        ConfigurationOptions configuration;
        try
        {
            configuration = RedisConnection.Configure(redis, "lamina-dead-letter", password);
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync($"'{RedisSecrets.Redact(redis)}' is not a Redis connection string ({RedisSecrets.Scrub(e.Message, redis, password, signingKey)})").ConfigureAwait(false);
            return 2;
        }

        // Reading needs no key (list and show then say the signatures were not checked); a redrive signs
        // the event again, and only a validly signed one may be redriven, so it needs the key.
        var signed = signingKey.Length >= AsyncOptions.MinimumSigningKeyLength;
        if (!signed && verb == "redrive")
        {
            await error.WriteLineAsync($"no event signing key: set {SigningKeyVariable} (in a gateway or worker pod it is set); a redrive signs the event again").ConfigureAwait(false);
            return 2;
        }

        configuration.AbortOnConnectFail = true;
        var secrets = new[] { password, signingKey };
        await using var multiplexer = await ConnectAsync(configuration, redis, secrets, error).ConfigureAwait(false);
        if (multiplexer is null)
        {
            return 1;
        }

        var store = new DeadLetterStore(multiplexer.GetDatabase(), signed ? new EventSigner(signingKey) : null, time);
        try
        {
            return (verb, positional.Count, all) switch
            {
                ("list", 2, false) => await ListAsync(store, function, count, output).ConfigureAwait(false),
                ("show", 3, false) => await ShowAsync(store, function, positional[2], output, error).ConfigureAwait(false),
                ("redrive", 3, false) => await RedriveAsync(store, function, positional[2], output, error).ConfigureAwait(false),
                ("redrive", 2, true) => await RedriveAllAsync(store, function, output).ConfigureAwait(false),
                _ => await UsageAsync(error).ConfigureAwait(false),
            };
        }
        catch (RedisException e)
        {
            // Not a stack trace: the message, without the password.
            await error.WriteLineAsync($"Redis failed: {RedisSecrets.Scrub(e.Message, redis, secrets)}").ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<ConnectionMultiplexer?> ConnectAsync(ConfigurationOptions configuration, string connectionString, string?[] secrets, TextWriter error)
    {
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        }
        catch (RedisConnectionException e)
        {
            await error.WriteLineAsync($"cannot reach Redis at {string.Join(", ", configuration.EndPoints)}: {RedisSecrets.Scrub(e.Message, connectionString, secrets)}").ConfigureAwait(false);
            return null;
        }
    }

    private static async Task<int> ListAsync(DeadLetterStore store, FunctionKey function, int count, TextWriter output)
    {
        var total = await store.CountAsync(function).ConfigureAwait(false);
        var entries = await store.ListAsync(function, count).ConfigureAwait(false);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{total} dead-lettered events of {AsyncKeys.Member(function)}");
        text.Append(entries.Count < total ? $" (the oldest {entries.Count}: --count N for more)\n" : "\n");
        if (entries.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{"ID",-20} {"REQUEST ID",-36} {"CONDITION",-17} {"ATTEMPTS",8}  {"ENQUEUED AT",-24}  {"DEAD-LETTERED AT",-24}\n");
        }

        foreach (var entry in entries)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{entry.Id,-20} {entry.Event?.RequestId ?? "-",-36} {entry.Condition,-17} {entry.Event?.Attempt.ToString(CultureInfo.InvariantCulture) ?? "-",8}  {Time(entry.Event?.EnqueuedAt),-24}  {Time(entry.DeadLetteredAt),-24}\n");
        }

        await output.WriteAsync(text.ToString()).ConfigureAwait(false);
        return 0;
    }

    private static async Task<int> ShowAsync(DeadLetterStore store, FunctionKey function, string id, TextWriter output, TextWriter error)
    {
        if (await store.GetAsync(function, id).ConfigureAwait(false) is not { } entry)
        {
            await error.WriteLineAsync($"no dead-letter entry {id} for {AsyncKeys.Member(function)}").ConfigureAwait(false);
            return 1;
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"id:              {entry.Id}\n");
        text.Append(CultureInfo.InvariantCulture, $"condition:       {entry.Condition}\n");
        text.Append(CultureInfo.InvariantCulture, $"dead-lettered:   {Time(entry.DeadLetteredAt)}\n");
        if (entry.Event is { } e)
        {
            text.Append(CultureInfo.InvariantCulture, $"request id:      {e.RequestId}\n");
            text.Append(CultureInfo.InvariantCulture, $"enqueued at:     {Time(e.EnqueuedAt)}\n");
            text.Append(CultureInfo.InvariantCulture, $"attempts:        {e.Attempt} ({e.FunctionErrors} function errors)\n");
            text.Append(entry.Signed switch
            {
                true => "signature:       valid\n",
                false => "signature:       NOT the gateways' (not stored by a gateway, or changed since): cannot be redriven\n",
                null => $"signature:       not checked (no event signing key: set {SigningKeyVariable})\n",
            });
            text.Append("payload:\n").Append(Pretty(e.Payload)).Append('\n');
        }
        else
        {
            text.Append("(the entry holds no event that could be redriven)\n");
        }

        if (!entry.Record.IsEmpty)
        {
            text.Append("record:\n").Append(Pretty(entry.Record)).Append('\n');
        }

        await output.WriteAsync(text.ToString()).ConfigureAwait(false);
        return 0;
    }

    private static async Task<int> RedriveAsync(DeadLetterStore store, FunctionKey function, string id, TextWriter output, TextWriter error)
    {
        if (await store.RedriveAsync(function, id).ConfigureAwait(false) is not { } streamId)
        {
            await error.WriteLineAsync($"no dead-letter entry {id} with a validly signed event for {AsyncKeys.Member(function)}").ConfigureAwait(false);
            return 1;
        }

        await output.WriteLineAsync($"redriven {id}: queued again as {streamId}").ConfigureAwait(false);
        return 0;
    }

    private static async Task<int> RedriveAllAsync(DeadLetterStore store, FunctionKey function, TextWriter output)
    {
        var redriven = await store.RedriveAllAsync(function).ConfigureAwait(false);
        await output.WriteLineAsync($"redriven {redriven} events of {AsyncKeys.Member(function)}").ConfigureAwait(false);
        return 0;
    }

    private static async Task<int> UsageAsync(TextWriter error)
    {
        await error.WriteLineAsync(Usage).ConfigureAwait(false);
        return 2;
    }

    private static string Time(DateTimeOffset? at) =>
        at is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : "-";

    /// <summary>JSON indented for reading; anything else as its text.</summary>
    private static string Pretty(ReadOnlyMemory<byte> utf8)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8);
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                document.WriteTo(writer);
            }

            return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (JsonException)
        {
            return Encoding.UTF8.GetString(utf8.Span);
        }
    }
}
