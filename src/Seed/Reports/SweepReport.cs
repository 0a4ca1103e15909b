using System.Globalization;
using System.Text;
using System.Text.Json;
using ActorSweep.Hosting.Storage;
using ActorSweep.Tasks.Addition;
using ActorSweep.Messages.Results;
using ActorSweep.Messages.Sweeps;
using ScottPlot;

namespace ActorSweep.Seed.Reports;

/// <summary>One row of a sweep's results.</summary>
public sealed record RunResult(string RunId, string Name, long Seed, string Status, int Attempts, int Failures, long? Params,
                               long? Steps, double? ExactMatch, double? ValidationExactMatch, double? FinalLoss, double? TrainSeconds,
                               string? Base, string? SeedReportedAccuracy, IReadOnlyDictionary<string, string> Options, string? Error,
                               int? Rung = null, bool AtTarget = false);

/// <summary>
/// A sweep's report folder: results.csv and results.json, each run's curves as PNG, the
/// parameter-count-vs-accuracy figure (the seed's "parameter cliff"), and summary.md.
/// </summary>
public static class SweepReport
{
    public const string ValidationCurvesFile = "validation_curves.png";

    public static IReadOnlyList<RunResult> Results(SweepState state) =>
        state.OrderedRuns.Select(r =>
        {
            var report = r.Report;
            string? baseName = r.Spec.Definition.Base;
            return new RunResult(r.Spec.RunId, r.Spec.Name, r.Spec.Seed, r.Status.ToString().ToLowerInvariant(), r.Attempt, r.Failures,
                report?.Params ?? r.Spec.Definition.ParameterCount, report?.Steps ?? r.Checkpoint?.Step, report?.ExactMatch, report?.ValidationExactMatch ?? r.Checkpoint?.Summary.ValidationExactMatch,
                report?.FinalLoss ?? r.Checkpoint?.Summary.Loss, report?.TrainSeconds, baseName,
                baseName is null ? null : SeedConfigurations.Find(baseName)?.ReportedAccuracy, r.Spec.Options, r.LastError,
                r.Rungs is { Count: > 0 } ? r.Rung : null, r.AtTarget);
        }).ToList();

    public static IReadOnlyList<string> Write(SweepState state, string directory)
    {
        Directory.CreateDirectory(directory);
        var results = Results(state);
        var written = new List<string>
        {
            WriteCsv(results, Path.Combine(directory, "results.csv")),
            WriteJson(state, results, Path.Combine(directory, SweepResults.FileName)),
        };
        string curves = Path.Combine(directory, "curves");
        Directory.CreateDirectory(curves);
        foreach (var run in state.OrderedRuns.Where(r => r.Report is { LossCurve.Count: > 0 }))
            written.Add(Curves(run.Spec.RunId, run.Report!, Path.Combine(curves, FileName(run.Spec.RunId) + ".png")));
        if (state.Runs.Values.Any(r => r.Report is { ValidationCurve.Count: > 0 }))
        {
            // Every run's validation curve in one figure, a configuration's seeds in one colour: how often and when they learn.
            var sweep = new SweepResults(state.SweepId, state.Definition?.Task, state.Definition?.Hash, null, Reported(state, results));
            Plots.ValidationCurves($"{state.SweepId}: validation exact match of every run", CurveGroups.Of([sweep], CurveGrouping.Name),
                Path.Combine(directory, ValidationCurvesFile));
            written.Add(Path.Combine(directory, ValidationCurvesFile));
        }
        if (state.Definition?.Task == AdditionSchema.TaskName)
            written.Add(ParameterCliff(state.SweepId, results, Path.Combine(directory, "parameter_cliff.png")));
        if (state.Definition?.Scheduler is not null && state.Runs.Values.Any(r => r.Rungs is { Count: > 0 }))
        {
            Plots.Schedule(state, Path.Combine(directory, "schedule.png"));
            written.Add(Path.Combine(directory, "schedule.png"));
        }
        written.Add(WriteSummary(state, results, written.Select(Path.GetFileName).ToHashSet()!, Path.Combine(directory, "summary.md")));
        return written;
    }

    static string WriteCsv(IReadOnlyList<RunResult> results, string path)
    {
        // A scheduler's columns (the last rung reached, stopped at the target) only where one decided anything.
        bool scheduled = results.Any(r => r.Rung is not null || r.AtTarget);
        var csv = new StringBuilder("run_id,name,seed,status,attempts,failures,params,steps,test_exact_match,val_exact_match,final_loss,train_seconds,base,seed_reported_accuracy,options" +
                                    (scheduled ? ",rung,at_target\n" : "\n"));
        foreach (var r in results)
            csv.AppendLine(string.Join(',', Csv(r.RunId), Csv(r.Name), r.Seed, r.Status, r.Attempts, r.Failures, r.Params, r.Steps,
                Num(r.ExactMatch), Num(r.ValidationExactMatch), Num(r.FinalLoss), Num(r.TrainSeconds), Csv(r.Base), Csv(r.SeedReportedAccuracy),
                Csv(JsonSerializer.Serialize(r.Options))) + (scheduled ? $",{r.Rung?.ToString(CultureInfo.InvariantCulture)},{(r.AtTarget ? "true" : "false")}" : ""));
        AtomicFile.WriteText(path, csv.ToString());
        return path;

        static string Num(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "";
        static string Csv(string? s) => s is null ? "" : s.IndexOfAny([',', '"', '\n']) >= 0 ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
    }

    /// <summary>One row per exploit, in the order they happened.</summary>
    public sealed record LineageRow(string RunId, string DonorId, long Step, IReadOnlyDictionary<string, string> Before, IReadOnlyDictionary<string, string> After, DateTimeOffset At);

    public static IReadOnlyList<LineageRow> Lineage(SweepState state) =>
        state.Exploits.Select(x => new LineageRow(x.RunId, x.DonorId, x.Donor.Step, x.Before, x.After, x.At)).ToList();

    static string WriteJson(SweepState state, IReadOnlyList<RunResult> results, string path)
    {
        var document = new SweepResults(state.SweepId, state.Definition?.Task, state.Definition?.Hash, state.Summary(), Reported(state, results),
            state.Exploits.Count == 0 ? null : Lineage(state));
        AtomicFile.WriteText(path, JsonSerializer.Serialize(document, ReportJson.Options));
        return path;
    }

    static IReadOnlyList<ReportedRun> Reported(SweepState state, IReadOnlyList<RunResult> results) =>
        results.Select(r => new ReportedRun(r, state.Runs[r.RunId].Report)).ToList();

    /// <summary>Training loss (log scale, left) and validation exact match (right) of one run.</summary>
    static string Curves(string runId, RunReport report, string path)
    {
        var plot = new Plot();
        var loss = report.LossCurve.Where(p => p.Value > 0).ToList();
        if (loss.Count > 0)
        {
            var line = plot.Add.ScatterLine(loss.Select(p => (double)p.Step).ToArray(), loss.Select(p => Math.Log10(p.Value)).ToArray());
            line.LegendText = "train loss (left, log)";
            line.LineWidth = 2;
        }
        Plots.LogScaleLeft(plot);
        if (report.ValidationCurve.Count > 0)
        {
            var validation = plot.Add.Scatter(report.ValidationCurve.Select(p => (double)p.Step).ToArray(),
                report.ValidationCurve.Select(p => 100 * p.Value).ToArray());
            validation.Axes.YAxis = plot.Axes.Right;
            validation.LegendText = "validation exact match % (right)";
            validation.LineWidth = 2;
            plot.Axes.Right.Label.Text = "exact match (%)";
            plot.Axes.SetLimitsY(-2, 102, plot.Axes.Right);
        }
        plot.ShowLegend(Alignment.MiddleRight);
        Plots.Finish(plot, $"{runId}: test exact match {report.ExactMatch:P2}", "step", "loss", path);
        return path;
    }

    /// <summary>Parameters (log scale) against test exact match: each run, and the seed's reported figure for its base.</summary>
    static string ParameterCliff(string sweepId, IReadOnlyList<RunResult> results, string path)
    {
        var plot = new Plot();
        var done = results.Where(r => r.ExactMatch is not null && r.Params > 0).ToList();
        if (done.Count > 0)
        {
            var ours = plot.Add.ScatterPoints(done.Select(r => Math.Log10(r.Params!.Value)).ToArray(), done.Select(r => 100 * r.ExactMatch!.Value).ToArray());
            ours.LegendText = "ActorSweep (TorchSharp), test exact match";
            ours.MarkerSize = 9;
        }
        var reported = results.Where(r => r.Params > 0 && ParsePercent(r.SeedReportedAccuracy) is not null)
            .DistinctBy(r => r.Base).ToList();
        if (reported.Count > 0)
        {
            var seed = plot.Add.ScatterPoints(reported.Select(r => Math.Log10(r.Params!.Value)).ToArray(),
                reported.Select(r => ParsePercent(r.SeedReportedAccuracy)!.Value).ToArray());
            seed.LegendText = "the seed's report (JAX)";
            seed.MarkerShape = MarkerShape.OpenCircle;
            seed.MarkerSize = 11;
        }
        // Ticks at 1, 2 and 5 times powers of ten: a sweep often spans less than one decade.
        var ticks = Enumerable.Range(1, 7).SelectMany(e => new[] { 1, 2, 5 }.Select(m => m * Math.Pow(10, e))).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            ticks.Select(Math.Log10).ToArray(), ticks.Select(t => t.ToString("N0", CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimitsY(-3, 103);
        plot.ShowLegend(Alignment.LowerRight);
        Plots.Finish(plot, $"{sweepId}: parameters vs exact match", "parameters (log scale)", "exact match (%)", path);
        return path;
    }

    public static double? ParsePercent(string? text) =>
        text is not null && text.EndsWith('%') && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;

    /// <param name="figures">The files written with it: a figure is shown only where this report drew it, not a stale one left in the folder.</param>
    static string WriteSummary(SweepState state, IReadOnlyList<RunResult> results, IReadOnlySet<string> figures, string path)
    {
        var s = state.Summary();
        var md = new StringBuilder();
        md.AppendLine($"# Sweep `{state.SweepId}`").AppendLine();
        md.AppendLine($"Task `{state.Definition?.Task}`, {s.Runs} runs: {s.Completed} completed, {s.Failed} failed, {s.Running} running, {s.Queued} queued{(s.Cancelled ? ", cancelled" : "")}. Definition hash `{state.Definition?.Hash}`.").AppendLine();
        if (figures.Contains("parameter_cliff.png"))
            md.AppendLine("![parameters vs exact match](parameter_cliff.png)").AppendLine();
        if (figures.Contains(ValidationCurvesFile))
            md.AppendLine($"![validation exact match of every run]({ValidationCurvesFile})").AppendLine();
        if (Supervisor.SchedulerDecisions.Ladder(state) is { Count: > 0 } ladder)
        {
            md.AppendLine($"Scheduler: {s.Paused} paused, {s.Pruned} pruned, {state.ReachedTarget} stopped at the target; {state.StepsSpent:N0} training steps spent.").AppendLine();
            md.AppendLine("| bracket | rung | step | reached | promoted | paused | pruned | quota | cut-off |");
            md.AppendLine("|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var r in ladder)
                md.AppendLine($"| {r.Bracket} | {r.Rung} | {r.Step:N0} | {r.Reached} | {r.Promoted} | {r.Paused} | {r.Pruned} | {r.Quota} | {r.Cutoff?.ToString("G4", CultureInfo.InvariantCulture) ?? "-"} |");
            md.AppendLine();
            if (figures.Contains("schedule.png")) md.AppendLine("![what the scheduler decided](schedule.png)").AppendLine();
        }
        md.AppendLine("| run | status | params | steps | test exact match | validation | final loss | attempts | seed's report |");
        md.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var r in results.OrderByDescending(r => r.ExactMatch ?? -1).ThenBy(r => r.Params))
        {
            string name = state.Runs[r.RunId].Report is { LossCurve.Count: > 0 } ? $"[{r.RunId}](curves/{FileName(r.RunId)}.png)" : r.RunId;
            md.AppendLine($"| {name} | {r.Status} | {r.Params?.ToString("N0") ?? "-"} | {r.Steps?.ToString("N0") ?? "-"} | {Pct(r.ExactMatch)} | {Pct(r.ValidationExactMatch)} | {r.FinalLoss?.ToString("G4") ?? "-"} | {r.Attempts} | {r.SeedReportedAccuracy ?? ""} |");
        }
        AtomicFile.WriteText(path, md.ToString());
        return path;

        static string Pct(double? v) => v is null ? "-" : v.Value.ToString("P2", CultureInfo.InvariantCulture);
    }

    /// <summary>A run id as a file name: characters outside [A-Za-z0-9._=,@-] become '_'.</summary>
    public static string FileName(string runId) =>
        new(runId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '=' or ',' or '@' ? c : '_').ToArray());
}
