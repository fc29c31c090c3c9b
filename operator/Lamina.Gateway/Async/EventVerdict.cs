namespace Lamina.Gateway.Async;

/// <summary>What a stored event's signature says about it (<see cref="EventSigner.Verify"/>).</summary>
internal enum EventVerdict
{
    /// <summary>Signed with the gateways' key: it may run.</summary>
    Valid,

    /// <summary>No signature at all: a forgery, or stored by a version before signing (<see cref="AsyncOptions.AcceptUnsignedEvents"/>).</summary>
    Unsigned,

    /// <summary>A signature that does not match the fields: written or changed by someone without the key.</summary>
    Forged,
}
