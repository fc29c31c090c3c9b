namespace Lamina.Operator.Api;

/// <summary>
/// Lambda's defaults and limits, in one place: the CRD schema is generated from these, and the
/// builders apply the same values to objects that predate a default (or come from a fake).
/// </summary>
public static class FunctionDefaults
{
    /// <summary>The AWS base images' entrypoint convention.</summary>
    public const string CommandJson = """["/lambda-entrypoint.sh"]""";

    /// <summary>The AWS base images' entrypoint.</summary>
    public static readonly IReadOnlyList<string> Command = ["/lambda-entrypoint.sh"];

    /// <summary>Lambda's smallest memory size, and its default.</summary>
    public const int MemoryMB = 128;

    /// <summary>Lambda's largest memory size.</summary>
    public const int MaxMemoryMB = 10240;

    /// <summary>Lambda's default timeout.</summary>
    public const int TimeoutSeconds = 3;

    /// <summary>Lambda's longest timeout (15 minutes).</summary>
    public const int MaxTimeoutSeconds = 900;

    /// <summary>Keep environments warm this long after the last invocation before scaling to zero.</summary>
    public const int IdleSeconds = 300;

    /// <summary>Lambda's default (and maximum) retries of an async invocation that failed.</summary>
    public const int MaximumRetryAttempts = 2;

    /// <summary>Lambda's smallest maximum event age for async invocations.</summary>
    public const int MinMaximumEventAgeSeconds = 60;

    /// <summary>Lambda's default and largest maximum event age (6 hours).</summary>
    public const int MaximumEventAgeSeconds = 21600;

    /// <summary>Lambda's limit on all environment variables together (names and values, in bytes).</summary>
    public const int MaxEnvironmentBytes = 4096;

    /// <summary>Lambda's function-name characters, lowercased to a DNS label for Kubernetes.</summary>
    public const string NamePattern = "^[a-z]([-a-z0-9]*[a-z0-9])?$";
}
