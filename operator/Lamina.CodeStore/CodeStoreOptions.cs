namespace Lamina.CodeStore;

/// <summary>
/// Where the code store is and how Lamina authenticates to it (configuration section
/// <see cref="Section"/>: <c>Lamina__CodeStore__Url</c> and so on; the chart sets them). Validated on
/// start by <see cref="CodeStoreOptionsValidator"/>.
/// </summary>
public sealed class CodeStoreOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Lamina:CodeStore";

    /// <summary>
    /// The registry's base URL, e.g. <c>http://lamina-code-store.lamina-system.svc:5000</c> or
    /// <c>https://123456789012.dkr.ecr.us-east-1.amazonaws.com</c>. Empty: no code store; every call
    /// fails with <see cref="CodeStoreFailure.NotConfigured"/>.
    /// </summary>
    public string Url { get; set; } = "";

    /// <summary>The user Lamina authenticates as (Basic, or to the Bearer token service). Empty: anonymous.</summary>
    public string Username { get; set; } = "";

    /// <summary>
    /// A file holding the password (a mounted Secret key; a trailing newline is ignored). Read again
    /// whenever a credential is sent, so a rotated Secret takes effect without a restart. Never a
    /// setting of its own: a password in an environment variable shows in the pod spec.
    /// </summary>
    public string PasswordFile { get; set; } = "";

    /// <summary>Accept any TLS certificate from an https registry. Off unless set: only for a registry with a self-signed certificate you cannot add to the trust store.</summary>
    public bool InsecureSkipTlsVerify { get; set; }

    /// <summary>The longest the registry may take to answer a call's headers (the bytes of an upload or a read take as long as they take).</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>True when a store is configured.</summary>
    public bool IsConfigured => Url.Length > 0;
}
