namespace Lamina.Operator.Api;

/// <summary>The field must be present (OpenAPI <c>required</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RequiredFieldAttribute : Attribute;

/// <summary>Inclusive numeric bounds (OpenAPI <c>minimum</c>/<c>maximum</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RangeAttribute(long minimum, long maximum = long.MaxValue) : Attribute
{
    /// <summary>The smallest allowed value.</summary>
    public long Minimum { get; } = minimum;

    /// <summary>The largest allowed value; <see cref="long.MaxValue"/> for none.</summary>
    public long Maximum { get; } = maximum;
}

/// <summary>The API server fills this value in when the field is absent (OpenAPI <c>default</c>), as JSON.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DefaultValueAttribute(string json) : Attribute
{
    /// <summary>A numeric default.</summary>
    public DefaultValueAttribute(long value)
        : this(value.ToString(System.Globalization.CultureInfo.InvariantCulture))
    {
    }

    /// <summary>The default as a JSON literal, e.g. <c>128</c> or <c>["/lambda-entrypoint.sh"]</c>.</summary>
    public string Json { get; } = json;
}

/// <summary>String bounds and pattern (OpenAPI <c>minLength</c>/<c>maxLength</c>/<c>pattern</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class TextAttribute : Attribute
{
    /// <summary>Minimum length; 0 for none.</summary>
    public int MinLength { get; init; }

    /// <summary>Maximum length; 0 for none.</summary>
    public int MaxLength { get; init; }

    /// <summary>An ECMA-262 regular expression the value must match, or null.</summary>
    public string? Pattern { get; init; }
}

/// <summary>What the field means, for <c>kubectl explain</c> (OpenAPI <c>description</c>).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class)]
public sealed class DocAttribute(string text) : Attribute
{
    /// <summary>The description.</summary>
    public string Text { get; } = text;
}

/// <summary>A list whose items are identified by a key field (<c>x-kubernetes-list-type: map</c>): server-side apply merges by key.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ListMapKeyAttribute(string key) : Attribute
{
    /// <summary>The key field, e.g. <c>name</c>.</summary>
    public string Key { get; } = key;
}

/// <summary>At most this many items (OpenAPI <c>maxItems</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MaxItemsAttribute(int maximum) : Attribute
{
    /// <summary>The largest allowed count.</summary>
    public int Maximum { get; } = maximum;
}

/// <summary>
/// One branch of the object's <c>oneOf</c>: exactly one branch's fields must all be present. A
/// structural schema (Kubernetes 1.20) allows only value validations inside <c>oneOf</c>, so a branch
/// names required fields and nothing else; repeat the attribute for each branch.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class OneOfRequiredAttribute(params string[] fields) : Attribute
{
    /// <summary>The JSON names of the fields this branch requires.</summary>
    public IReadOnlyList<string> Fields { get; } = fields;
}
