using System.Runtime.Versioning;

// The shim runs only inside Linux containers (it uses pipes, signals and /proc of its child).
[assembly: SupportedOSPlatform("linux")]
