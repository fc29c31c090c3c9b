namespace Lamina.Gateway.Auth;

/// <summary>
/// Authentication settings: configuration section <c>Lamina:Gateway:Auth</c> (or
/// LAMINA__GATEWAY__AUTH__* variables); the mode also from the command line's <c>--auth=none|sigv4</c>.
/// </summary>
internal sealed class GatewayAuthOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Lamina:Gateway:Auth";

    /// <summary>The command-line switch (<c>--auth=none</c>), a top-level configuration key.</summary>
    public const string Switch = "auth";

    /// <summary>Where access key Secrets live when nothing says otherwise: the namespace Lamina is installed in.</summary>
    public const string DefaultAccessKeyNamespace = "lamina-system";

    /// <summary>SigV4 (the default) or None.</summary>
    public AuthMode Mode { get; set; } = AuthMode.SigV4;

    /// <summary>
    /// The namespace whose Secrets labelled <c>lamina.dev/access-key=true</c> hold the access keys,
    /// and may grant any namespaces. Empty: the gateway's own namespace (POD_NAMESPACE), else
    /// <c>lamina-system</c>.
    /// </summary>
    public string AccessKeyNamespace { get; set; } = "";

    /// <summary>
    /// Also read labelled Secrets in every other namespace the gateway may list (needs cluster-wide
    /// read access to Secrets). Such a key may grant only its own namespace, so that whoever can
    /// write Secrets in one namespace cannot mint a key for another.
    /// </summary>
    public bool AllNamespaces { get; set; }

    /// <summary>The only region a credential may be scoped to; any region when empty (clients pick one at random).</summary>
    public string Region { get; set; } = "";

    /// <summary>
    /// Lambda's window: a request signed more than five minutes before or after the gateway's clock
    /// is refused ("Signature expired … (… - 5 min.)"), so a captured request can be replayed for at
    /// most this long, and a client whose clock Lambda accepts is accepted here.
    /// </summary>
    public static readonly TimeSpan DefaultSignatureWindow = TimeSpan.FromMinutes(5);

    /// <summary>
    /// AWS's longest window (other services accept 15 minutes): a wider one would let a captured
    /// request be replayed for longer than any AWS service does.
    /// </summary>
    public static readonly TimeSpan MaxSignatureWindow = TimeSpan.FromMinutes(15);

    /// <summary>How far a request's signing date may be from the gateway's clock, either way (whole seconds, 1 s to 15 min).</summary>
    public TimeSpan SignatureWindow { get; set; } = DefaultSignatureWindow;

    /// <summary>With <c>--auth=none</c>: where a bare function name resolves.</summary>
    public string AnonymousDefaultNamespace { get; set; } = "default";
}
