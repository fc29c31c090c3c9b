using Lamina.Gateway.Routing;
using StackExchange.Redis;

namespace Lamina.Gateway.Async;

/// <summary>
/// A function's dead-letter stream, for the operator's commands (<see cref="DeadLetterCommand"/>): list,
/// show, and redrive, which puts the original event back into the function's stream with the same
/// request id and a fresh attempt budget and age, and removes it from the dead-letter stream in the
/// same script.
/// </summary>
internal sealed class DeadLetterStore(IDatabase db, EventSigner? signer, TimeProvider time)
{
    /// <summary>Entries read per XRANGE when redriving them all: bounds one reply (each entry holds a payload of up to 256 KB).</summary>
    private const int Page = 100;

    /// <summary>The oldest <paramref name="count"/> entries after <paramref name="after"/> (exclusive), or from the start.</summary>
    public async Task<List<DeadLetterEntry>> ListAsync(FunctionKey function, int count, string? after = null)
    {
        var entries = await db.StreamRangeAsync(AsyncKeys.DeadLetter(function), after is null ? "-" : "(" + after, "+", count).ConfigureAwait(false);
        var list = new List<DeadLetterEntry>(entries.Length);
        foreach (var entry in entries)
        {
            list.Add(DeadLetterEntry.From(function, entry, signer));
        }

        return list;
    }

    /// <summary>The entry <paramref name="id"/>, or null.</summary>
    public async Task<DeadLetterEntry?> GetAsync(FunctionKey function, string id)
    {
        var entries = await db.StreamRangeAsync(AsyncKeys.DeadLetter(function), id, id, 1).ConfigureAwait(false);
        return entries is [var entry] ? DeadLetterEntry.From(function, entry, signer) : null;
    }

    /// <summary>How many entries the dead-letter stream holds.</summary>
    public Task<long> CountAsync(FunctionKey function) => db.StreamLengthAsync(AsyncKeys.DeadLetter(function));

    /// <summary>
    /// Redrives entry <paramref name="id"/>: its new stream entry id, or null when there is no such
    /// entry (or it holds no event to redrive: a malformed one, or one whose signature does not verify,
    /// which a redrive must not launder into a signed event).
    /// </summary>
    public async Task<string?> RedriveAsync(FunctionKey function, string id)
    {
        var entry = await GetAsync(function, id).ConfigureAwait(false);
        return entry is { Event: { } e, Signed: true } ? await RedriveAsync(function, entry.Id, e).ConfigureAwait(false) : null;
    }

    /// <summary>Redrives every entry that holds an event; returns how many.</summary>
    public async Task<int> RedriveAllAsync(FunctionKey function)
    {
        var redriven = 0;
        string? after = null;
        while (true)
        {
            var page = await ListAsync(function, Page, after).ConfigureAwait(false);
            foreach (var entry in page)
            {
                if (entry is { Event: { } e, Signed: true } && await RedriveAsync(function, entry.Id, e).ConfigureAwait(false) is not null)
                {
                    redriven++;
                }
            }

            if (page.Count < Page)
            {
                return redriven;
            }

            after = page[^1].Id;
        }
    }

    private EventSigner Signer => signer ?? throw new InvalidOperationException("a redrive signs the event: it needs the event signing key");

    private async Task<string?> RedriveAsync(FunctionKey function, string id, AsyncEvent e)
    {
        var again = e.Redriven(time.GetUtcNow());
        var register = db.SetAddAsync(AsyncKeys.Registry, AsyncKeys.Member(function));
        var redrive = db.ScriptEvaluateAsync(
            AsyncScripts.Redrive,
            [AsyncKeys.DeadLetter(function), AsyncKeys.Events(function), AsyncKeys.Ages(function)],
            [id, again.EnqueuedAt.ToUnixTimeMilliseconds(), again.RequestId, .. Signer.Signed(function, again)]);
        await Task.WhenAll(register, redrive).ConfigureAwait(false);
        return redrive.Result.IsNull ? null : redrive.Result.ToString();
    }
}
