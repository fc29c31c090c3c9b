namespace Lamina.RuntimeShim.Supervision;

/// <summary>How to start the runtime: its command line, environment and working folder.</summary>
internal sealed record RuntimeLaunch
{
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>The complete environment of the runtime process (not merged with anything).</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    /// <summary>Where the runtime starts; null inherits the shim's.</summary>
    public string? WorkingDirectory { get; init; }
}
