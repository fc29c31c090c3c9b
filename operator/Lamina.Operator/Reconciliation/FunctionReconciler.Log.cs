
namespace Lamina.Operator.Reconciliation;

/// <summary>The reconciler's log messages.</summary>
internal sealed partial class FunctionReconciler
{
    [LoggerMessage(EventId = 60, Level = LogLevel.Warning, Message = "Function {Namespace}/{Function} has an invalid spec: {Problems}")]
    private partial void LogInvalidSpec(string @namespace, string function, string problems);

    [LoggerMessage(EventId = 61, Level = LogLevel.Information, Message = "Function {Namespace}/{Function}: {Verb} {Kind} {Name} (differing field: {Field})")]
    private partial void LogChildWritten(string @namespace, string function, string verb, string kind, string name, string field);

    [LoggerMessage(EventId = 62, Level = LogLevel.Information, Message = "Function {Namespace}/{Function}: Deleted {Kind} {Name} ({Why})")]
    private partial void LogChildDeleted(string @namespace, string function, string kind, string name, string why);
}
