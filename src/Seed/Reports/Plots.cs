using ActorSweep.Messages.Results;
using ActorSweep.Hosting.Storage;
using ScottPlot;

namespace ActorSweep.Seed.Reports;

/// <summary>PNG figures of training curves (ScottPlot renders headless).</summary>
public static class Plots
{
    const int Width = 900, Height = 500;

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

    public static void Finish(Plot plot, string title, string x, string y, string path)
    {
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        AtomicFile.Write(path, plot.GetImageBytes(Width, Height, ImageFormat.Png));
    }
}
