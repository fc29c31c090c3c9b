using Microsoft.Extensions.Logging;

namespace Lamina.Kubernetes.LeaderElection;

public sealed partial class LeaderElector
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Campaigning for lease {Namespace}/{Lease} as {Identity}")]
        public static partial void Campaigning(ILogger logger, string @namespace, string lease, string identity);

        [LoggerMessage(2, LogLevel.Information, "Acquired lease {Namespace}/{Lease} as {Identity}: leading")]
        public static partial void Acquired(ILogger logger, string @namespace, string lease, string identity);

        [LoggerMessage(3, LogLevel.Information, "New leader of lease {Namespace}/{Lease}: {Holder}")]
        public static partial void NewLeader(ILogger logger, string @namespace, string lease, string holder);

        [LoggerMessage(4, LogLevel.Debug, "Lease {Namespace}/{Lease} is held by {Holder} and has not expired")]
        public static partial void HeldByOther(ILogger logger, string @namespace, string lease, string holder);

        [LoggerMessage(5, LogLevel.Debug, "Could not acquire lease {Namespace}/{Lease}: {Reason}")]
        public static partial void AcquireFailed(ILogger logger, string @namespace, string lease, string reason);

        [LoggerMessage(6, LogLevel.Warning, "Could not renew lease {Namespace}/{Lease}")]
        public static partial void RenewFailed(ILogger logger, string @namespace, string lease, Exception exception);

        [LoggerMessage(7, LogLevel.Warning, "Lost lease {Namespace}/{Lease}: not renewed within the renew deadline ({RenewDeadline})")]
        public static partial void RenewDeadlinePassed(ILogger logger, string @namespace, string lease, TimeSpan renewDeadline);

        [LoggerMessage(8, LogLevel.Warning, "Lost lease {Namespace}/{Lease}: {Holder} holds it now")]
        public static partial void LeaseTaken(ILogger logger, string @namespace, string lease, string holder);

        [LoggerMessage(9, LogLevel.Error, "The leader's work for lease {Namespace}/{Lease} failed: stepping down")]
        public static partial void WorkFailed(ILogger logger, string @namespace, string lease, Exception exception);

        [LoggerMessage(10, LogLevel.Information, "Stopped leading lease {Namespace}/{Lease} as {Identity} ({Reason})")]
        public static partial void StoppedLeading(ILogger logger, string @namespace, string lease, string identity, string reason);

        [LoggerMessage(11, LogLevel.Information, "Released lease {Namespace}/{Lease} held by {Identity}")]
        public static partial void Released(ILogger logger, string @namespace, string lease, string identity);

        [LoggerMessage(12, LogLevel.Warning, "Could not release lease {Namespace}/{Lease}; a successor takes over once it expires")]
        public static partial void ReleaseFailed(ILogger logger, string @namespace, string lease, Exception exception);

        [LoggerMessage(13, LogLevel.Error, "Leader election callback {Callback} failed")]
        public static partial void CallbackFailed(ILogger logger, string callback, Exception exception);
    }
}
