namespace Lamina.Kubernetes.Tests.Client;

/// <summary>One request the <see cref="ScriptedHttpHandler"/> saw.</summary>
internal sealed record RecordedHttpRequest(string Method, string Uri, string? ContentType, string? Body, string Accept);
