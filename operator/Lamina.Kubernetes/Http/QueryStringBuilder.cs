using System.Globalization;
using System.Text;

namespace Lamina.Kubernetes.Http;

/// <summary>Appends escaped <c>?a=b&amp;c=d</c> parameters to a path, skipping empty values.</summary>
internal sealed class QueryStringBuilder(string path)
{
    private readonly StringBuilder _text = new(path);
    private bool _first = true;

    public QueryStringBuilder Add(string name, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return this;
        }

        _text.Append(_first ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        _first = false;
        return this;
    }

    public QueryStringBuilder Add(string name, long? value) =>
        value is { } number ? Add(name, number.ToString(CultureInfo.InvariantCulture)) : this;

    public QueryStringBuilder Add(string name, bool value) => Add(name, value ? "true" : "false");

    public override string ToString() => _text.ToString();
}
