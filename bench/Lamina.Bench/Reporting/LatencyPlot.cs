namespace Lamina.Bench.Reporting;

/// <summary>
/// Every series' latency by percentile, one line each: x is the percentile from 0 to 99.9 on a
/// "nines" scale (−log10 of the fraction above it, so 50, 90, 99 and 99.9 are evenly apart and the
/// tail is as wide as the body), y is milliseconds on a log scale.
/// </summary>
internal static class LatencyPlot
{
    private const double Left = 70, Right = 20, Top = 36, PlotWidth = 640, PlotHeight = 360, LegendLine = 16;

    /// <summary>The highest percentile shown: 99.9 (three nines), beyond which 2000 kept samples say nothing.</summary>
    private const double Nines = 3;

    private static readonly double[] PercentileTicks = [0, 50, 90, 99, 99.9];

    public static string Render(string title, IReadOnlyList<SeriesResult> series)
    {
        var svg = new Svg(Left + PlotWidth + Right, Top + PlotHeight + 50 + (LegendLine * Math.Max(1, series.Count)));
        svg.Text(Left, 22, title, size: 14);
        var positive = series.SelectMany(s => s.SamplesMs).Where(ms => ms > 0 && double.IsFinite(ms)).ToList();
        var (low, high) = positive.Count == 0 ? (0.0, 1.0) : (Math.Floor(Math.Log10(positive.Min())), Math.Ceiling(Math.Log10(positive.Max())));
        if (high <= low)
        {
            high = low + 1;
        }

        double X(double percentile) => Left + (PlotWidth * Math.Min(Nines, -Math.Log10(1 - (Math.Min(percentile, 99.9) / 100))) / Nines);
        double Y(double ms) => Top + PlotHeight - (PlotHeight * (Math.Log10(Math.Max(ms, Math.Pow(10, low))) - low) / (high - low));

        // Axes, grid and ticks.
        svg.Line(Left, Top + PlotHeight, Left + PlotWidth, Top + PlotHeight, "#444");
        svg.Line(Left, Top, Left, Top + PlotHeight, "#444");
        foreach (var p in PercentileTicks)
        {
            svg.Line(X(p), Top, X(p), Top + PlotHeight, "#ddd");
            svg.Text(X(p), Top + PlotHeight + 15, $"p{Svg.N(p)}", anchor: "middle");
        }

        for (var decade = low; decade <= high; decade++)
        {
            var ms = Math.Pow(10, decade);
            svg.Line(Left, Y(ms), Left + PlotWidth, Y(ms), "#ddd");
            svg.Text(Left - 6, Y(ms) + 4, $"{ms.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)} ms", anchor: "end");
        }

        svg.Text(Left + (PlotWidth / 2), Top + PlotHeight + 32, "percentile", anchor: "middle");
        svg.Text(16, Top + (PlotHeight / 2), "latency (ms, log)", anchor: "middle", vertical: true);

        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            var colour = Svg.Palette[i % Svg.Palette.Length];
            var sorted = s.SamplesMs.Where(double.IsFinite).Order().ToArray();
            svg.Polyline(sorted.Select((ms, k) => (X(100.0 * k / sorted.Length), Y(ms))), colour);
            var y = Top + PlotHeight + 50 + (LegendLine * i);
            svg.Line(Left, y - 4, Left + 24, y - 4, colour, 3);
            var figures = sorted.Length == 0 ? "no samples" : $"p50 {s.Latency.P50:0.###} ms, p99 {s.Latency.P99:0.###} ms, n={s.Requests}";
            svg.Text(Left + 30, y, $"{s.Case} / {s.Side}: {figures}");
        }

        return svg.ToString();
    }
}
