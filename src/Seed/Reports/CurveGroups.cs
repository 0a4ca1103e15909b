using System.Globalization;

namespace ActorSweep.Seed.Reports;

/// <summary>How runs' curves are coloured together: by sweep, or by configuration (run name) so a configuration's seeds share a colour.</summary>
public enum CurveGrouping { Sweep, Name }

/// <summary>Groups runs' validation curves for <see cref="Plots.ValidationCurves"/>; runs without a curve are left out.</summary>
public static class CurveGroups
{
    /// <summary>
    /// The groups in order of first appearance; <paramref name="labels"/>, where given, name them in
    /// that order, and groups given the same label are drawn as one (one shape's runs under several names).
    /// </summary>
    public static IReadOnlyList<CurveGroup> Of(IEnumerable<SweepResults> sweeps, CurveGrouping by, IReadOnlyList<string>? labels = null)
    {
        var groups = sweeps.SelectMany(s => s.Runs.Select(r => (Sweep: s.SweepId, Run: r)))
            .Where(x => x.Run.Report is { ValidationCurve.Count: > 0 })
            .GroupBy(x => by == CurveGrouping.Sweep ? x.Sweep : x.Run.Result.Name)
            .ToList();
        if (labels is { Count: > 0 } && labels.Count != groups.Count)
            throw new InvalidDataException($"{labels.Count} labels for {groups.Count} groups with curves ({string.Join(", ", groups.Select(g => g.Key))}): give one label per group, in that order");
        return groups.Select((g, i) => (Name: labels is { Count: > 0 } ? labels[i] : g.Key, Runs: g.Select(x => x.Run)))
            .GroupBy(g => g.Name, g => g.Runs)
            .Select(g =>
            {
                var runs = g.SelectMany(r => r).ToList();
                return new CurveGroup(Label(g.Key, runs), runs.Select(r => r.Report!).ToList());
            }).ToList();
    }

    /// <summary>"NAME: K of N at ≥ 99% test": the count a reader checks against the lines.</summary>
    static string Label(string name, IReadOnlyList<ReportedRun> runs) => runs.Count == 1
        ? $"{name}: {runs[0].Report!.ExactMatch.ToString("P2", CultureInfo.InvariantCulture)} test"
        : $"{name}: {runs.Count(r => r.Report!.ExactMatch >= 0.99)} of {runs.Count} at ≥ 99% test";
}
