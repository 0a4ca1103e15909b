using System.CommandLine;
using System.Globalization;
using ActorSweep.Messages.Results;
using ActorSweep.Seed.Reports;
using Spectre.Console;

namespace ActorSweep.Seed.Cli;

/// <summary>
/// `actorsweep compare REPORT... --out FILE.png`: several sweeps' validation curves in one figure,
/// read from their report folders (results.json), so recipes can be set side by side after their
/// databases are gone. One colour per sweep, or per run name with --by name.
/// </summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var reports = new Argument<string[]>("reports") { Description = "Report folders (run --report, results --report) or their results.json.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "The PNG file to write.", Required = true };
        var by = new Option<CurveGrouping>("--by") { Description = "One colour per sweep, or per run name across the sweeps (a configuration's seeds share one).", DefaultValueFactory = _ => CurveGrouping.Sweep };
        var names = new Option<string[]>("--name") { Description = "Only runs of this name (a configuration); repeat for several. With --by name the groups follow this order." };
        var labels = new Option<string[]>("--label") { Description = "Name the groups in the legend, one --label per group in order (default: sweep or run name); groups given the same label are drawn as one." };
        var title = new Option<string?>("--title") { Description = "The figure's title." };
        var command = new Command("compare", "Draw the validation curves of several sweeps' runs in one figure, from their report folders.")
            { reports, output, by, names, labels, title };
        command.SetAction(parse =>
        {
            var error = parse.InvocationConfiguration.Error;
            var console = Terminal.For(parse.InvocationConfiguration.Output);
            string path = parse.GetValue(output)!;
            var inputs = parse.GetValue(reports)!;
            if (OutputProblem(path, inputs) is { } problem) return Terminal.UsageError(error, problem);
            IReadOnlyList<CurveGroup> groups;
            List<SweepResults> sweeps;
            try
            {
                sweeps = inputs.Select(SweepResults.Read).ToList();
                groups = CurveGroups.Of(sweeps, parse.GetValue(by), parse.GetValue(names), parse.GetValue(labels));
            }
            catch (InvalidDataException e) { return Terminal.UsageError(error, e.Message); }

            string name = parse.GetValue(title) ?? $"{string.Join(" vs ", sweeps.Select(s => s.Sweep).Distinct())}: validation exact match";
            try { Plots.ValidationCurves(name, groups, path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { error.WriteLine($"error: cannot write {path}: {e.Message}"); return ExitCodes.Failed; }

            var table = new Table().AddColumns("group", "runs", "median test exact match", "median steps");
            foreach (var group in groups)
                table.AddRow(Markup.Escape(group.Label), group.Reports.Count.ToString(CultureInfo.InvariantCulture),
                    Statistics.Median(group.Reports.Select(r => r.ExactMatch)).ToString("P2", CultureInfo.InvariantCulture),
                    Statistics.Median(group.Reports.Select(r => (double)r.Steps)).ToString("N0", CultureInfo.InvariantCulture));
            console.Write(table);
            console.MarkupLine($"figure written to {Markup.Escape(Path.GetFullPath(path))}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>What is wrong with the figure's path or the inputs, before anything is read or written.</summary>
    static string? OutputProblem(string path, IReadOnlyList<string> inputs)
    {
        if (string.IsNullOrWhiteSpace(path)) return "--out needs a file name";
        var files = inputs.Select(i => Path.GetFullPath(Directory.Exists(i) ? Path.Combine(i, SweepResults.FileName) : i)).ToList();
        if (files.GroupBy(f => f).FirstOrDefault(g => g.Count() > 1) is { } twice) return $"{twice.Key} is given twice";
        if (files.Contains(Path.GetFullPath(path))) return $"--out {path} is one of the inputs";
        if (Directory.Exists(path)) return $"--out {path} is a folder: name the PNG file to write";
        return path.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? null : $"--out {path}: the figure is a PNG, name it *.png";
    }
}
