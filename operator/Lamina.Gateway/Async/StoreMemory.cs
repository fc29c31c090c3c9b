namespace Lamina.Gateway.Async;

/// <summary>Redis' used_memory and maxmemory (0: no ceiling), as last sampled.</summary>
internal sealed record StoreMemory(long Used, long Max);
