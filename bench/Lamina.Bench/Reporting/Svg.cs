using System.Globalization;
using System.Text;

namespace Lamina.Bench.Reporting;

/// <summary>
/// The little SVG the plots need, written by hand: lines, polylines, text, all numbers in the
/// invariant culture. Plotting libraries are served (OxyPlot.Core, ScottPlot), but two plots of
/// lines and labels take these 56 lines, and ScottPlot would bring SkiaSharp's native library into
/// a bench that otherwise runs anywhere .NET does; a third kind of plot is the time to switch.
/// </summary>
internal sealed class Svg
{
    /// <summary>One colour per series, in order (Tableau 10: distinct, and readable when printed).</summary>
    public static readonly string[] Palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

    private readonly StringBuilder _body = new();

    public Svg(double width, double height)
    {
        Width = width;
        Height = height;
    }

    public double Width { get; }

    public double Height { get; }

    public static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);

    public void Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string? dash = null) =>
        _body.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(x1)}\" y1=\"{N(y1)}\" x2=\"{N(x2)}\" y2=\"{N(y2)}\" stroke=\"{stroke}\" stroke-width=\"{N(width)}\"{Dash(dash)}/>\n");

    public void Polyline(IEnumerable<(double X, double Y)> points, string stroke, double width = 1.5, string? dash = null)
    {
        var list = string.Join(' ', points.Select(p => $"{N(p.X)},{N(p.Y)}"));
        if (list.Length > 0)
        {
            _body.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{list}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{N(width)}\"{Dash(dash)}/>\n");
        }
    }

    public void Text(double x, double y, string text, string anchor = "start", double size = 11, string fill = "#222", bool vertical = false)
    {
        var rotate = vertical ? $" transform=\"rotate(-90 {N(x)} {N(y)})\"" : "";
        _body.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(x)}\" y=\"{N(y)}\" font-size=\"{N(size)}\" text-anchor=\"{anchor}\" fill=\"{fill}\"{rotate}>{Escape(text)}</text>\n");
    }

    public override string ToString() =>
        $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{N(Width)}\" height=\"{N(Height)}\" viewBox=\"0 0 {N(Width)} {N(Height)}\" font-family=\"sans-serif\">\n" +
        $"<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{_body}</svg>\n";

    private static string Dash(string? dash) => dash is null ? "" : $" stroke-dasharray=\"{dash}\"";
}
