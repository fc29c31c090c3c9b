namespace Lamina.Gateway.Invoke;

/// <summary>How reading a request body ended.</summary>
internal enum BodyReadStatus
{
    /// <summary>The whole body is in the buffer.</summary>
    Read,

    /// <summary>Over Lambda's limit, claimed or sent: reading stopped there (413).</summary>
    TooLarge,

    /// <summary>Buffering more would pass the gateway's body buffer budget (429).</summary>
    OverBudget,
}
