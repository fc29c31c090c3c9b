namespace Lamina.CodeStore;

/// <summary>What a stored zip is: written into its manifest's annotations, so an admin listing the registry can tell them apart.</summary>
public enum CodeKind
{
    /// <summary>A function's code, unpacked into <c>/var/task</c>.</summary>
    Function,

    /// <summary>A layer, unpacked into <c>/opt</c>.</summary>
    Layer,
}
