using ActorSweep.Messages.Results;
using ActorSweep.Hosting.Storage;
using ScottPlot;

namespace ActorSweep.Seed.Reports;

/// <summary>Finished runs whose curves are drawn together in one colour, under one legend label.</summary>
public sealed record CurveGroup(string Label, IReadOnlyList<RunReport> Reports);

/// <summary>PNG figures of training curves (ScottPlot renders headless).</summary>
public static class Plots
{
    const int Width = 900, Height = 500;
    static readonly ScottPlot.Palettes.Category10 GroupPalette = new();

    /// <summary>Training loss against step, on a log scale.</summary>
    public static void Loss(string title, IReadOnlyList<CurvePoint> curve, string path)
    {
        var plot = new Plot();
        var points = curve.Where(p => p.Value > 0 && double.IsFinite(p.Value)).ToList();
        if (points.Count > 0)
        {
            var line = plot.Add.ScatterLine(points.Select(p => (double)p.Step).ToArray(), points.Select(p => Math.Log10(p.Value)).ToArray());
            line.LineWidth = 2;
        }
        LogScaleLeft(plot);
        Finish(plot, $"{title}: training loss", "step", "loss (log scale)", path);
    }

    /// <summary>Validation exact match (percent) against step.</summary>
    public static void Validation(string title, IReadOnlyList<CurvePoint> curve, string path)
    {
        var plot = new Plot();
        if (curve.Count > 0)
        {
            var line = plot.Add.Scatter(curve.Select(p => (double)p.Step).ToArray(), curve.Select(p => 100 * p.Value).ToArray());
            line.LineWidth = 2;
            line.MarkerSize = 6;
        }
        plot.Axes.SetLimitsY(-2, 102);
        Finish(plot, $"{title}: validation exact match", "step", "exact match (%)", path);
    }

    /// <summary>
    /// Validation exact match (percent) against step for many runs at once: one colour per group
    /// (a configuration's seeds, or a whole sweep), one line per run, one legend entry per group.
    /// </summary>
    public static void ValidationCurves(string title, IReadOnlyList<CurveGroup> groups, string path)
    {
        var plot = new Plot();
        for (int g = 0; g < groups.Count; g++)
        {
            var color = GroupPalette.GetColor(g);
            bool labelled = false;
            foreach (var curve in groups[g].Reports.Select(r => r.ValidationCurve).Where(c => c.Count > 0))
            {
                var line = plot.Add.ScatterLine(curve.Select(p => (double)p.Step).ToArray(), curve.Select(p => 100 * p.Value).ToArray(), color.WithAlpha(0.75));
                line.LineWidth = 1.5f;
                if (!labelled) line.LegendText = groups[g].Label;
                labelled = true;
            }
        }
        plot.Axes.SetLimitsY(-2, 102);
        // Below the axes, where it hides no curve. Past the palette's colours they repeat and a legend
        // would mislead, so there is none (compare prints the groups; a report's summary lists the runs).
        bool legend = groups.Count <= GroupPalette.Colors.Length;
        if (legend) plot.ShowLegend(Edge.Bottom);
        Finish(plot, title, "step", "validation exact match (%)", path, height: legend ? Height + 24 * groups.Count : Height);
    }

    /// <summary>Test accuracy of each sum digit, ones digit first.</summary>
    public static void PerDigitAccuracy(string title, double[] perDigit, string path)
    {
        var plot = new Plot();
        var bars = plot.Add.Bars(perDigit.Select(a => 100 * a).ToArray());
        bars.Color = Colors.SteelBlue;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, perDigit.Length).Select(i => (double)i).ToArray(),
            Enumerable.Range(0, perDigit.Length).Select(i => $"10^{i}").ToArray());
        plot.Axes.SetLimitsY(Math.Max(0, perDigit.DefaultIfEmpty(1).Min() * 100 - 5), 100.5);
        Finish(plot, $"{title}: test accuracy per sum digit", "digit (ones first)", "accuracy (%)", path);
    }

    /// <summary>
    /// What a scheduler decided, run by run: each run's result at each rung (or checkpoint, under
    /// the median rule) against step, its line ending where the run ended: a dot when it completed
    /// (at its final validation), a cross when it was pruned, a square while it waits paused.
    /// Dashed lines mark the rungs.
    /// </summary>
    public static void Schedule(ActorSweep.Messages.Sweeps.SweepState state, string path)
    {
        var plot = new Plot();
        var scheduler = state.Definition!.Scheduler!;
        bool percent = scheduler.Goal.Metric == ActorSweep.Messages.Sweeps.MetricGoal.ValidationExactMatch;
        double Y(double v) => percent ? 100 * v : v;
        if (scheduler is ActorSweep.Messages.Sweeps.AshaScheduler asha)
            foreach (long rung in asha.Rungs)
            {
                var line = plot.Add.VerticalLine(rung);
                line.LinePattern = LinePattern.Dashed;
                line.Color = Colors.Gray.WithAlpha(0.5);
            }
        foreach (var run in state.OrderedRuns.Where(r => r.Rungs is { Count: > 0 }))
        {
            var points = run.Rungs!.Where(r => r.Value is not null).Select(r => ((double)r.Step, Y(r.Value!.Value))).ToList();
            if (run.Status == ActorSweep.Messages.Sweeps.RunStatus.Completed && run.Report is { } report)
                points.Add((report.Steps, Y(percent ? report.ValidationExactMatch : report.FinalLoss)));
            if (points.Count == 0) continue;
            var (color, shape) = run.Status switch
            {
                ActorSweep.Messages.Sweeps.RunStatus.Completed => (Colors.ForestGreen, MarkerShape.FilledCircle),
                ActorSweep.Messages.Sweeps.RunStatus.Pruned => (Colors.Gray, MarkerShape.Cross),
                ActorSweep.Messages.Sweeps.RunStatus.Paused => (Colors.Purple, MarkerShape.FilledSquare),
                _ => (Colors.SteelBlue, MarkerShape.OpenCircle),
            };
            var trace = plot.Add.ScatterLine(points.Select(p => p.Item1).ToArray(), points.Select(p => p.Item2).ToArray(), color);
            trace.LineWidth = 1.5f;
            var end = plot.Add.Marker(points[^1].Item1, points[^1].Item2, shape, 9, color);
            end.LineWidth = 2;
        }
        string what = percent ? "validation exact match (%)" : scheduler.Goal.Metric;
        Finish(plot, $"{state.SweepId}: what the scheduler decided (green: completed, grey ×: pruned, purple: paused)", "step", what, path);
    }

    /// <summary>Left-axis ticks at powers of ten for data plotted as log10.</summary>
    public static void LogScaleLeft(Plot plot)
    {
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => $"{Math.Pow(10, y):g3}",
        };
    }

    public static void Finish(Plot plot, string title, string x, string y, string path, int height = Height)
    {
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        AtomicFile.Write(path, plot.GetImageBytes(Width, height, ImageFormat.Png));
    }
}
