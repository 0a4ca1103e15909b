using System.CommandLine;
using System.Globalization;
using ActorSweep.Hosting.Storage;
using ActorSweep.Seed.Reports;
using Spectre.Console;

namespace ActorSweep.Seed.Cli;

/// <summary>
/// `actorsweep compare REPORT... --out FILE.png`: several sweeps' validation curves in one figure,
/// read from their report folders (results.json), so recipes can be set side by side after their
/// databases are gone. One colour per sweep, or per configuration with --by name.
/// </summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var reports = new Argument<string[]>("reports") { Description = "Report folders (run --report, results --report) or their results.json.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "The PNG file to write.", Required = true };
        var by = new Option<CurveGrouping>("--by") { Description = "One colour per sweep, or per configuration (run name) across the sweeps.", DefaultValueFactory = _ => CurveGrouping.Sweep };
        var names = new Option<string[]>("--name") { Description = "Only runs of this configuration (run name); repeat for several.", AllowMultipleArgumentsPerToken = false };
        var labels = new Option<string[]>("--label") { Description = "Name the groups in the legend, one --label per group in order (default: sweep or run name); groups given the same label are drawn as one." };
        var title = new Option<string?>("--title") { Description = "The figure's title." };
        var command = new Command("compare", "Draw the validation curves of several sweeps' runs in one figure, from their report folders.")
            { reports, output, by, names, labels, title };
        command.SetAction(parse =>
        {
            var error = parse.InvocationConfiguration.Error;
            var console = Terminal.For(parse.InvocationConfiguration.Output);
            string path = parse.GetValue(output)!;
            var only = parse.GetValue(names) is { Length: > 0 } n ? n.ToHashSet() : null;
            List<SweepResults> sweeps;
            IReadOnlyList<CurveGroup> groups;
            try
            {
                sweeps = parse.GetValue(reports)!.Select(SweepResults.Read)
                    .Select(s => only is null ? s : s with { Runs = s.Runs.Where(r => only.Contains(r.Result.Name)).ToList() })
                    .ToList();
                if (only is not null && only.FirstOrDefault(name => !sweeps.Any(s => s.Runs.Any(r => r.Result.Name == name))) is { } missing)
                    return Terminal.UsageError(error, $"no run named '{missing}' in {string.Join(", ", sweeps.Select(s => s.SweepId))}");
                groups = CurveGroups.Of(sweeps, parse.GetValue(by), parse.GetValue(labels));
            }
            catch (InvalidDataException e) { return Terminal.UsageError(error, e.Message); }
            if (groups.Count == 0)
                return Terminal.UsageError(error, $"no finished run with a validation curve in {string.Join(", ", sweeps.Select(s => s.SweepId))} (runs that did not complete, and noop runs, have none)");

            string name = parse.GetValue(title) ?? $"{string.Join(" vs ", sweeps.Select(s => s.SweepId).Distinct())}: validation exact match";
            try { Plots.ValidationCurves(name, groups, path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { error.WriteLine($"error: cannot write {path}: {e.Message}"); return ExitCodes.Failed; }

            var table = new Table().AddColumns("group", "runs with curves", "median test exact match", "median steps");
            foreach (var group in groups)
            {
                table.AddRow(Markup.Escape(group.Label), group.Reports.Count.ToString(CultureInfo.InvariantCulture),
                    Median(group.Reports.Select(r => r.ExactMatch)).ToString("P2", CultureInfo.InvariantCulture),
                    Median(group.Reports.Select(r => (double)r.Steps)).ToString("N0", CultureInfo.InvariantCulture));
            }
            console.Write(table);
            console.MarkupLine($"figure written to {Markup.Escape(Path.GetFullPath(path))}");
            return ExitCodes.Ok;
        });
        return command;
    }

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
