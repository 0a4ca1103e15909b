using System.Globalization;
using System.Text;
using System.Text.Json;
using ActorSweep.GpuNode.Training;
using ActorSweep.Hosting.Storage;
using ActorSweep.Messages.Results;
using ActorSweep.Seed.Reports;

namespace ActorSweep.Cli;

/// <summary>The files of one training run's output folder.</summary>
public sealed class RunArtifacts
{
    public RunArtifacts(string directory)
    {
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }
    public string Checkpoint => Path.Combine(Directory, "checkpoint.ckpt");
    public string BestCheckpoint => Path.Combine(Directory, "best.ckpt");
    public string Metrics => Path.Combine(Directory, "metrics.csv");
    public string Report => Path.Combine(Directory, "report.json");
    public string LossPlot => Path.Combine(Directory, "loss.png");
    public string ValidationPlot => Path.Combine(Directory, "validation.png");
    public string PerDigitPlot => Path.Combine(Directory, "per_digit_accuracy.png");

    /// <summary>metrics.csv: step, train loss and learning rate every LogEvery steps; validation exact match at each eval.</summary>
    public void WriteMetrics(TrainingHistory history)
    {
        var rows = new SortedDictionary<long, (LossPoint? Loss, ValidationPoint? Validation)>();
        foreach (var l in history.Losses) rows[l.Step] = (l, rows.GetValueOrDefault(l.Step).Validation);
        foreach (var v in history.Validations) rows[v.Step] = (rows.GetValueOrDefault(v.Step).Loss, v);
        var csv = new StringBuilder("step,train_loss,learning_rate,val_exact_match\n");
        foreach (var (step, (loss, validation)) in rows)
            csv.Append(CultureInfo.InvariantCulture,
                $"{step},{loss?.Loss.ToString("R", CultureInfo.InvariantCulture)},{loss?.LearningRate.ToString("R", CultureInfo.InvariantCulture)},{validation?.ExactMatch.ToString("R", CultureInfo.InvariantCulture)}\n");
        AtomicFile.WriteText(Metrics, csv.ToString());
    }

    public void WriteReport(RunReport report) =>
        AtomicFile.WriteText(Report, JsonSerializer.Serialize(report, ReportJson.Options));

    public static RunReport ReadReport(string path) =>
        JsonSerializer.Deserialize<RunReport>(File.ReadAllText(path), ReportJson.Options)
        ?? throw new InvalidDataException($"'{path}' holds no report");

    /// <summary>The curves as PNG: loss, validation exact match and per-digit test accuracy.</summary>
    public IReadOnlyList<string> WritePlots(RunReport report)
    {
        Plots.Loss(report.Model, report.LossCurve, LossPlot);
        Plots.Validation(report.Model, report.ValidationCurve, ValidationPlot);
        Plots.PerDigitAccuracy(report.Model, report.PerDigitAccuracy, PerDigitPlot);
        return [LossPlot, ValidationPlot, PerDigitPlot];
    }
}
