namespace Lamina.Kubernetes.Configuration;

/// <summary>The client's configuration is missing or unusable; the message names the file, field or variable.</summary>
public sealed class KubernetesConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KubernetesConfigurationException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public KubernetesConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public KubernetesConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
