namespace Lamina.Operator.Concurrency;

/// <summary>
/// Functions and their environments, as the Function informer, the pool's admission and the
/// environment tracker report them; each change answers what it can of the function's waiting tickets.
/// </summary>
internal sealed partial class ConcurrencyState
{
    /// <summary>A Function exists with these limits (from its spec and the pool's admission).</summary>
    public void SetFunction(FunctionId id, FunctionLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        lock (_gate)
        {
            var function = Function(id);
            function.Limits = limits;
            function.Exists = true;
            Process(function);
        }
    }

    /// <summary>The Function is gone: its waiting tickets are refused; its leases are revoked.</summary>
    public void RemoveFunction(FunctionId id)
    {
        lock (_gate)
        {
            if (!_functions.TryGetValue(id, out var function))
            {
                return;
            }

            function.Exists = false;
            Process(function);
            foreach (var lease in function.Leases)
            {
                Revoke(_leases[lease]);
            }
        }
    }

    /// <summary>An environment appeared or changed (pod informer, or the shim answered a readiness probe).</summary>
    public void SetEnvironment(FunctionId id, EnvironmentInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        lock (_gate)
        {
            var function = Function(id);
            if (function.Environments.TryGetValue(info.Pod, out var environment) && environment.Info.Uid != info.Uid)
            {
                Drop(function, environment);
                environment = null;
            }

            if (environment is null)
            {
                environment = new EnvironmentEntry(info);
                function.Environments[info.Pod] = environment;
            }

            environment.Info = info;
            if (!environment.Ready && environment.Lease is { } lease)
            {
                Revoke(_leases[lease]); // the gateway gives it back once its invocation (if any) ends
            }

            Process(function);
            StatusChanged(function);
        }
    }

    /// <summary>The pod is gone.</summary>
    public void RemoveEnvironment(FunctionId id, string pod)
    {
        lock (_gate)
        {
            if (_functions.TryGetValue(id, out var function) && function.Environments.TryGetValue(pod, out var environment))
            {
                Drop(function, environment);
                Process(function);
                StatusChanged(function);
            }
        }
    }

    /// <summary>Why the function cannot start an environment now (bad image, crash loop), or null when nothing says so.</summary>
    public void SetFailure(FunctionId id, string? failure)
    {
        lock (_gate)
        {
            var function = Function(id);
            if (function.Failure != failure)
            {
                function.Failure = failure;
                Process(function);
            }
        }
    }

    private void Drop(FunctionEntry function, EnvironmentEntry environment)
    {
        function.Environments.Remove(environment.Info.Pod);
        if (environment.Lease is { } leaseId && _leases.TryGet(leaseId, out var lease))
        {
            Revoke(lease); // stays counted until the gateway gives it back: its invocation may still be ending
        }
    }
}
