using System.Globalization;

namespace ActorSweep.Seed.Reports;

/// <summary>How runs' curves are coloured together: one colour per sweep (per input), or per run name across the sweeps (a configuration's seeds share one).</summary>
public enum CurveGrouping { Sweep, Name }

/// <summary>Groups finished runs' validation curves for <see cref="Plots.ValidationCurves"/>.</summary>
public static class CurveGroups
{
    /// <summary>
    /// The groups: by sweep in the order given, by name in the order of <paramref name="names"/>
    /// (or of first appearance). <paramref name="names"/> keeps only those run names;
    /// <paramref name="labels"/>, where given, names the groups in that order, and groups given the
    /// same label are drawn as one (one shape's runs under several names). A sweep or a name
    /// asked for that has no finished run with a curve throws <see cref="InvalidDataException"/>.
    /// </summary>
    public static IReadOnlyList<CurveGroup> Of(IReadOnlyList<SweepResults> sweeps, CurveGrouping by,
                                               IReadOnlyList<string>? names = null, IReadOnlyList<string>? labels = null)
    {
        var wanted = names is { Count: > 0 } ? names.Distinct().ToList() : null;
        var drawn = sweeps.Select(s => s.Runs.Where(r => r.Report is { ValidationCurve.Count: > 0 } && (wanted is null || wanted.Contains(r.Result.Name))).ToList()).ToList();
        if (wanted?.FirstOrDefault(name => !drawn.Any(runs => runs.Any(r => r.Result.Name == name))) is { } missing)
            throw new InvalidDataException($"no finished run named '{missing}' with a validation curve in {string.Join(", ", sweeps.Select(s => s.Sweep))}");
        int empty = drawn.FindIndex(runs => runs.Count == 0);
        if (empty >= 0)
            throw new InvalidDataException($"sweep '{sweeps[empty].Sweep}' has no finished run{(wanted is null ? "" : $" named {string.Join(" or ", wanted)}")} with a validation curve (runs that did not complete, and noop runs, have none)");

        var groups = by == CurveGrouping.Sweep
            ? sweeps.Select((s, i) => (Key: SweepName(sweeps, i), Runs: (IReadOnlyList<ReportedRun>)drawn[i])).ToList()
            : drawn.SelectMany(runs => runs).GroupBy(r => r.Result.Name)
                .OrderBy(g => wanted is null ? 0 : wanted.IndexOf(g.Key)) // stable: first appearance without --name
                .Select(g => (Key: g.Key, Runs: (IReadOnlyList<ReportedRun>)g.ToList())).ToList();
        if (labels is { Count: > 0 } && labels.Count != groups.Count)
            throw new InvalidDataException($"{labels.Count} labels for {groups.Count} groups ({string.Join(", ", groups.Select(g => g.Key))}): give one label per group, in that order");
        return groups.Select((g, i) => (Name: labels is { Count: > 0 } ? labels[i] : g.Key, g.Runs))
            .GroupBy(g => g.Name, g => g.Runs)
            .Select(g =>
            {
                var runs = g.SelectMany(r => r).ToList();
                return new CurveGroup(Label(g.Key, runs), runs.Select(r => r.Report!).ToList());
            }).ToList();
    }

    /// <summary>A sweep's name, numbered by its place among the inputs where two inputs share it (two folders of one sweep id).</summary>
    static string SweepName(IReadOnlyList<SweepResults> sweeps, int i) =>
        sweeps.Count(s => s.Sweep == sweeps[i].Sweep) > 1 ? $"{sweeps[i].Sweep} (input {i + 1})" : sweeps[i].Sweep;

    /// <summary>"NAME: K of N runs at ≥ 99% test": the count a reader checks against the lines.</summary>
    static string Label(string name, IReadOnlyList<ReportedRun> runs) => runs.Count == 1
        ? $"{name}: {runs[0].Report!.ExactMatch.ToString("P2", CultureInfo.InvariantCulture)} test"
        : $"{name}: {runs.Count(r => r.Report!.ExactMatch >= 0.99)} of {runs.Count} runs at ≥ 99% test";
}
