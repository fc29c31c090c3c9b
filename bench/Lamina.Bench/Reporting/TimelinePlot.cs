namespace Lamina.Bench.Reporting;

/// <summary>
/// A load scenario over time: desired (dashed) and ready (solid) environments on the left axis, the
/// offered rate on the right axis, seconds along the bottom; all linear.
/// </summary>
internal static class TimelinePlot
{
    private const double Left = 60, Right = 70, Top = 36, PlotWidth = 640, PlotHeight = 300;

    private const string Desired = "#4e79a7", Ready = "#59a14f", Offered = "#e15759";

    public static string Render(string title, IReadOnlyList<TimelinePoint> timeline)
    {
        var svg = new Svg(Left + PlotWidth + Right, Top + PlotHeight + 70);
        svg.Text(Left, 22, title, size: 14);
        var seconds = Math.Max(1e-9, timeline.Max(p => p.Seconds));
        var environments = Math.Max(1, timeline.Max(p => Math.Max(p.Desired, p.Ready)));
        var rate = Math.Max(1e-9, timeline.Max(p => p.OfferedPerSecond));

        double X(double s) => Left + (PlotWidth * s / seconds);
        double YEnvironments(double n) => Top + PlotHeight - (PlotHeight * n / environments);
        double YRate(double r) => Top + PlotHeight - (PlotHeight * r / rate);

        svg.Line(Left, Top + PlotHeight, Left + PlotWidth, Top + PlotHeight, "#444");
        svg.Line(Left, Top, Left, Top + PlotHeight, "#444");
        svg.Line(Left + PlotWidth, Top, Left + PlotWidth, Top + PlotHeight, "#444");
        for (var i = 0; i <= 4; i++)
        {
            var f = i / 4.0;
            svg.Line(Left, Top + PlotHeight - (PlotHeight * f), Left + PlotWidth, Top + PlotHeight - (PlotHeight * f), "#eee");
            svg.Text(Left - 6, Top + PlotHeight - (PlotHeight * f) + 4, Svg.N(Math.Round(environments * f, 1)), anchor: "end");
            svg.Text(Left + PlotWidth + 6, Top + PlotHeight - (PlotHeight * f) + 4, Svg.N(Math.Round(rate * f)), fill: Offered);
            svg.Text(X(seconds * f), Top + PlotHeight + 15, $"{Svg.N(Math.Round(seconds * f, 1))} s", anchor: "middle");
        }

        svg.Text(16, Top + (PlotHeight / 2), "environments", anchor: "middle", vertical: true);
        svg.Text(Left + PlotWidth + 60, Top + (PlotHeight / 2), "offered requests/s", anchor: "middle", fill: Offered, vertical: true);

        // Steps: a count holds until the next point.
        svg.Polyline(Steps(timeline, p => p.Desired).Select(p => (X(p.X), YEnvironments(p.Y))), Desired, 2, "6 3");
        svg.Polyline(Steps(timeline, p => p.Ready).Select(p => (X(p.X), YEnvironments(p.Y))), Ready, 2);
        svg.Polyline(timeline.Select(p => (X(p.Seconds), YRate(p.OfferedPerSecond))), Offered, 1.5);

        var legend = Top + PlotHeight + 40;
        (string Label, string Colour, string? Dash)[] entries = [("desired", Desired, "6 3"), ("ready", Ready, null), ("offered rate", Offered, null)];
        for (var i = 0; i < entries.Length; i++)
        {
            var x = Left + (i * 160);
            svg.Line(x, legend - 4, x + 24, legend - 4, entries[i].Colour, 3, entries[i].Dash);
            svg.Text(x + 30, legend, entries[i].Label);
        }

        return svg.ToString();
    }

    private static IEnumerable<(double X, double Y)> Steps(IReadOnlyList<TimelinePoint> timeline, Func<TimelinePoint, int> value)
    {
        for (var i = 0; i < timeline.Count; i++)
        {
            if (i > 0)
            {
                yield return (timeline[i].Seconds, value(timeline[i - 1]));
            }

            yield return (timeline[i].Seconds, value(timeline[i]));
        }
    }
}
