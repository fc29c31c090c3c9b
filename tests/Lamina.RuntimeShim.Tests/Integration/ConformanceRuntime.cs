using Lamina.Testing;

namespace Lamina.RuntimeShim.Tests.Integration;

/// <summary>
/// A runtime the shim can run as its child: the command and the variables that point it at a
/// function. <see cref="ConformanceRuntimes"/> makes the repository's examples into these.
/// </summary>
internal sealed record ConformanceRuntime(string Name, IReadOnlyList<string> Command, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>The same runtime with more (or overriding) environment variables.</summary>
    public ConformanceRuntime With(params (string Name, string Value)[] variables)
    {
        var environment = new Dictionary<string, string>(Environment, StringComparer.Ordinal);
        foreach (var (name, value) in variables)
        {
            environment[name] = value;
        }

        return this with { Environment = environment };
    }

    /// <summary>Starts a shim running this runtime; by default returns once /readyz answers 200.</summary>
    public Task<ShimProcess> StartShimAsync(int timeoutSeconds = 30, bool waitForReady = true) =>
        ShimProcess.StartAsync(Command, Environment, timeoutSeconds, waitForReady);

    public override string ToString() => Name;
}
