using Lamina.RuntimeShim.Code;

namespace Lamina.RuntimeShim.Hosting;

/// <summary>The shim's command line, parsed: run a runtime, install the shim, fetch code, show help, or an error.</summary>
internal abstract record ShimCommand
{
    private ShimCommand()
    {
    }

    /// <summary><c>runtime-shim [options] -- command [args]</c>: serve a runtime.</summary>
    public sealed record Run(ShimOptions Options) : ShimCommand;

    /// <summary><c>runtime-shim install DIR</c>: copy the shim's folder into DIR (the pod's init container).</summary>
    public sealed record Install(string Target) : ShimCommand;

    /// <summary><c>runtime-shim fetch [options]</c>: fetch, verify and unpack the function's zip and layers (the pod's init container).</summary>
    public sealed record Fetch(FetchOptions Options) : ShimCommand;

    /// <summary><c>runtime-shim --help</c>.</summary>
    public sealed record Help : ShimCommand;

    /// <summary>The command line could not be understood; <see cref="Message"/> says why.</summary>
    public sealed record Invalid(string Message) : ShimCommand
    {
        /// <summary>Where the message is also written (a bad <c>fetch</c> line is a failed init the operator shows); null for none.</summary>
        public string? TerminationLog { get; init; }
    }
}
