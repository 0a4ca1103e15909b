using ActorSweep.Messages.Results;
using ActorSweep.Seed.Reports;

namespace ActorSweep.Tests.Reports;

/// <summary>How runs' curves are grouped and labelled for one figure; and the committed sweep results read back.</summary>
public sealed class CurveGroupsTests
{
    static ReportedRun Run(string name, long seed, double exactMatch, bool curve = true)
    {
        var result = new RunResult($"{name}@s{seed}", name, seed, "completed", 1, 0, 100, 10, exactMatch, exactMatch, 0.1, 1, null, null,
            new Dictionary<string, string>(), null);
        var report = new RunReport(name, 100, 10, seed, 0.1, exactMatch, [], [], 10, exactMatch, null, null, 1, [],
            curve ? [new CurvePoint(5, 0), new CurvePoint(10, exactMatch)] : []);
        return new ReportedRun(result, report);
    }

    static SweepResults Sweep(string id, params ReportedRun[] runs) => new(id, "addition", null, null, runs);

    static readonly SweepResults First = Sweep("first", Run("a", 1, 1.0), Run("a", 2, 0.5), Run("b", 1, 0.995), Run("c", 1, 1.0, curve: false));
    static readonly SweepResults Second = Sweep("second", Run("a", 3, 0.99), new ReportedRun(Run("b", 2, 0).Result, null));

    [Fact]
    public void By_sweep_each_input_is_one_group_of_its_runs_with_curves()
    {
        var groups = CurveGroups.Of([First, Second], CurveGrouping.Sweep);
        Assert.Equal(["first: 2 of 3 runs at ≥ 99% test", "second: 99.00 % test"], groups.Select(g => g.Label));
        Assert.Equal([3, 1], groups.Select(g => g.Reports.Count));

        // Two folders of one sweep id stay two groups, told apart by their place among the inputs.
        var twice = CurveGroups.Of([First, First with { Runs = [Run("a", 9, 0)] }], CurveGrouping.Sweep);
        Assert.Equal(["first (input 1): 2 of 3 runs at ≥ 99% test", "first (input 2): 0.00 % test"], twice.Select(g => g.Label));
    }

    [Fact]
    public void By_name_a_run_names_seeds_share_a_group_across_sweeps_in_the_order_of_name_and_labels_replace_names()
    {
        var groups = CurveGroups.Of([First, Second], CurveGrouping.Name, labels: ["A", "B"]);
        Assert.Equal(["A: 2 of 3 runs at ≥ 99% test", "B: 99.50 % test"], groups.Select(g => g.Label));
        Assert.Equal([1L, 2, 3], groups[0].Reports.Select(r => r.Seed));

        // --name keeps only those names, in its order.
        Assert.Equal(["b: 99.50 % test", "a: 2 of 3 runs at ≥ 99% test"], CurveGroups.Of([First, Second], CurveGrouping.Name, ["b", "a"]).Select(g => g.Label));

        // Groups given one label are drawn as one: a shape's runs under two names.
        var merged = CurveGroups.Of([First, Second], CurveGrouping.Name, labels: ["same", "same"]);
        Assert.Equal("same: 3 of 4 runs at ≥ 99% test", Assert.Single(merged).Label);

        var error = Assert.Throws<InvalidDataException>(() => CurveGroups.Of([First], CurveGrouping.Name, labels: ["only one"]));
        Assert.Contains("1 labels for 2 groups (a, b)", error.Message);
    }

    [Fact]
    public void A_name_or_a_sweep_without_a_curve_is_named_not_dropped()
    {
        // Run c finished but has no curve; sweep "second" has no run named b with one.
        Assert.Contains("no finished run named 'c' with a validation curve in first",
            Assert.Throws<InvalidDataException>(() => CurveGroups.Of([First], CurveGrouping.Name, ["a", "c"])).Message);
        Assert.Contains("sweep 'second' has no finished run named b with a validation curve",
            Assert.Throws<InvalidDataException>(() => CurveGroups.Of([First, Second], CurveGrouping.Sweep, ["b"])).Message);
    }

    /// <summary>The README's figures come from these files: each stays readable, and the tuned recipe's final check holds its 8 of 8.</summary>
    [Fact]
    public void Every_committed_sweep_result_reads_back_and_the_tuned_recipe_check_has_8_of_8()
    {
        var files = Directory.GetFiles(Path.Combine(TestEnvironment.RepositoryRoot, "sweeps", "results"), SweepResults.FileName, SearchOption.AllDirectories);
        Assert.True(files.Length >= 20, $"{files.Length} results files");
        foreach (var file in files)
            Assert.NotEmpty(SweepResults.Read(file).Runs);
        var robust = CurveGroups.Of([SweepResults.Read(Path.Combine(TestEnvironment.RepositoryRoot, "sweeps", "results", "robust-777-c"))], CurveGrouping.Sweep);
        Assert.Equal("robust-777-c: 8 of 8 runs at ≥ 99% test", Assert.Single(robust).Label);
    }
}
