using Lamina.Contracts.Lambda;

namespace Lamina.RuntimeShim.Execution;

/// <summary>The facts about the function the environment needs for deadlines, headers and log lines.</summary>
internal sealed record EnvironmentOptions
{
    public required TimeSpan Timeout { get; init; }

    /// <summary>Lambda-Runtime-Invoked-Function-Arn.</summary>
    public required string FunctionArn { get; init; }

    /// <summary>AWS_LAMBDA_FUNCTION_VERSION, for the START line.</summary>
    public string Version { get; init; } = LambdaInvokeApi.Latest;

    /// <summary>AWS_LAMBDA_FUNCTION_MEMORY_SIZE, for the REPORT line.</summary>
    public int MemorySizeMB { get; init; } = 128;

    /// <summary>
    /// AWS_LAMBDA_INITIALIZATION_TYPE is provisioned-concurrency: the first runtime initialised before any
    /// traffic, so its first invocation is no cold start (no Init Duration in REPORT, as in Lambda). A
    /// runtime started again after a crash is one.
    /// </summary>
    public bool Provisioned { get; init; }
}
