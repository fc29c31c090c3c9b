using Lamina.Gateway.Routing;

namespace Lamina.Gateway.Async;

/// <summary>One function's queue as last read from Redis: events not yet final, and how long the oldest has waited.</summary>
internal sealed record QueueSample(FunctionKey Function, long Depth, TimeSpan OldestAge);
