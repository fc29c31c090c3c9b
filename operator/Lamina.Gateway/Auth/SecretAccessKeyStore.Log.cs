namespace Lamina.Gateway.Auth;

/// <summary>The key store's log messages: Secret names and key ids, never a secret value.</summary>
internal sealed partial class SecretAccessKeyStore
{
    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Secret {Secret} is labelled as an access key but is ignored: {Problem}")]
    private partial void LogMalformed(string secret, string problem);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "Access key {AccessKeyId} is held by more than one Secret: {Winner} is used (the gateway's namespace first, then the oldest); ignored: {Ignored}")]
    private partial void LogConflict(string accessKeyId, string winner, string ignored);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Access key {AccessKeyId} from Secret {Secret}")]
    private partial void LogKeyAdded(string secret, string accessKeyId);

    [LoggerMessage(EventId = 23, Level = LogLevel.Information, Message = "Access key {AccessKeyId} withdrawn: Secret {Secret} deleted")]
    private partial void LogKeyRemoved(string secret, string accessKeyId);
}
