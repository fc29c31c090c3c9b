using System.Runtime.Versioning;

// The shim is Linux-only, and so are its tests.
[assembly: SupportedOSPlatform("linux")]
