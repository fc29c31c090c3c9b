namespace Lamina.RuntimeShim.Code;

/// <summary>
/// The reason a container failed, where the kubelet reads it into the pod's status
/// (<c>terminationMessagePath</c>), so the operator can show a failed fetch in the Function's condition.
/// </summary>
internal static class TerminationMessage
{
    /// <summary>Kubernetes' default terminationMessagePath.</summary>
    public const string DefaultPath = "/dev/termination-log";

    /// <summary>
    /// Writes <paramref name="message"/> to <paramref name="path"/> when that file exists (the kubelet
    /// creates it; outside a pod there is none, and creating one in /dev would be wrong). Best effort:
    /// the same line is on stderr anyway.
    /// </summary>
    public static void TryWrite(string path, string message)
    {
        try
        {
            if (File.Exists(path))
            {
                File.WriteAllText(path, message);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort only: stderr has the same line.
        }
    }
}
