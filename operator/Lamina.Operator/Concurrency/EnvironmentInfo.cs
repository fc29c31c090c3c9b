namespace Lamina.Operator.Concurrency;

/// <summary>
/// One execution environment (a function pod) as the controller's environment tracker sees it.
/// </summary>
/// <param name="Pod">The pod's name, unique in its namespace.</param>
/// <param name="Uid">The pod's uid: a pod recreated under the same name is another environment.</param>
/// <param name="Address">host:port of its shim's invoke contract; null before it has an IP.</param>
/// <param name="Provisioned">From the provisioned-concurrency Deployment.</param>
/// <param name="Serving">Its shim says it can take an invocation, and it is not terminating.</param>
/// <param name="Terminating">Deleted, or in a terminal phase: it finishes what it runs and takes nothing new.</param>
internal sealed record EnvironmentInfo(string Pod, string Uid, string? Address, bool Provisioned, bool Serving, bool Terminating);
