using System.Runtime.InteropServices;

namespace Lamina.RuntimeShim.Supervision;

/// <summary>The few libc calls .NET has no API for. LibraryImport: generated marshalling, AOT-safe.</summary>
internal static partial class NativeMethods
{
    public const int SIGTERM = 15;
    public const short POLLIN = 0x001;
    public const short POLLHUP = 0x010;

    // ioctl request "bytes available to read" on Linux (asm-generic/ioctls.h).
    private const nuint FIONREAD = 0x541B;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollDescriptor
    {
        public int Descriptor;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(ref PollDescriptor descriptor, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlAvailable(int descriptor, nuint request, out int available);

    /// <summary>Bytes waiting in a pipe, or 0 when it cannot be asked (closed).</summary>
    public static int Available(int descriptor) =>
        IoctlAvailable(descriptor, FIONREAD, out var available) == 0 ? available : 0;
}
