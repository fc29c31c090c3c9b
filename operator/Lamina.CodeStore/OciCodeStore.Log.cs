namespace Lamina.CodeStore;

/// <summary>The code store's log messages (EventIds 200-209, docs/architecture.md).</summary>
internal sealed partial class OciCodeStore
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Code store: stored {Kind} zip {Digest} ({Size} bytes) in {Repository}")]
    private partial void LogStored(CodeKind kind, string repository, string digest, long size);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Code store: {Repository} already holds {Digest} ({Size} bytes); not uploaded again, its manifest put")]
    private partial void LogAlreadyStored(string repository, string digest, long size);
}
