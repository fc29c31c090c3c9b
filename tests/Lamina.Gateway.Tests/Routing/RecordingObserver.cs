using Lamina.Gateway.Routing;

namespace Lamina.Gateway.Tests.Routing;

/// <summary>Every change an <see cref="EnvironmentRegistry"/> reports, as "+pod" and "-pod" lines in order.</summary>
internal sealed class RecordingObserver : IEnvironmentObserver
{
    public List<string> Changes { get; } = [];

    public void EnvironmentAdded(FunctionKey function, FunctionEnvironment environment) =>
        Changes.Add($"+{function}/{environment.Pod}@{environment.Endpoint}");

    public void EnvironmentRemoved(FunctionKey function, FunctionEnvironment environment) =>
        Changes.Add($"-{function}/{environment.Pod}");
}
