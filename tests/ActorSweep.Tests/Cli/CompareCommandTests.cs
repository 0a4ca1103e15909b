using ActorSweep.Seed.Cli;
using ActorSweep.Seed.Reports;

namespace ActorSweep.Tests.Cli;

/// <summary>`actorsweep compare`: sweeps' validation curves in one figure, from their report folders alone.</summary>
public sealed class CompareCommandTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("actorsweep-compare-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    string Db => Path.Combine(_dir, "actorsweep.db");

    /// <summary>Runs a tiny addition sweep (two seeds, evaluated at steps 20 and 40) and returns its report folder.</summary>
    async Task<string> RunSweep(string name, string lr)
    {
        string file = Path.Combine(_dir, name + ".yaml");
        File.WriteAllText(file, $$"""
            name: {{name}}
            task: addition
            seeds: [1, 2]
            budget: { steps: 40, eval_every: 20, checkpoint_every: 20 }
            defaults: { base: pico-7d-ff14-lr02, batch_size: 32, lr: {{lr}}, validation_size: 100, eval_size: 100, test_size: 100 }
            """);
        string report = Path.Combine(_dir, name);
        var run = await CliRunner.RunAsync("run", file, "--db", Db, "--slots", "2", "--report", report);
        Assert.True(run.ExitCode == ExitCodes.Ok, run.Error + run.Output);
        return report;
    }

    static void AssertPng(string path) =>
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(path)[..4]);

    [Fact]
    public async Task Two_sweeps_report_folders_become_one_figure_after_their_database_is_gone()
    {
        string slow = await RunSweep("slow", "0.001"), fast = await RunSweep("fast", "0.02");
        // The sweep's own report draws every run's validation curve and shows it in its summary.
        AssertPng(Path.Combine(slow, SweepReport.ValidationCurvesFile));
        Assert.Contains($"]({SweepReport.ValidationCurvesFile})", File.ReadAllText(Path.Combine(slow, "summary.md")));

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(Db);
        string figure = Path.Combine(_dir, "both.png");
        var compare = await CliRunner.RunAsync("compare", slow, Path.Combine(fast, "results.json"), "--out", figure,
            "--label", "lr 0.001", "--label", "lr 0.02");
        Assert.True(compare.ExitCode == ExitCodes.Ok, compare.Error);
        AssertPng(figure);
        // Each sweep is one group of its 2 runs, under the label given; 40 steps teach nothing, so none is at 99%.
        Assert.Contains("lr 0.001: 0 of 2 at ≥ 99% test", compare.Output);
        Assert.Contains("lr 0.02: 0 of 2 at ≥ 99% test", compare.Output);
        Assert.Equal(2, compare.Output.Split('\n').Count(l => l.Contains("│ 2 ") && l.Contains("│ 40 ")));

        // By configuration: both sweeps' runs are named "default", so they make one group of 4; --name keeps only those.
        var byName = await CliRunner.RunAsync("compare", slow, fast, "--out", figure, "--by", "name", "--name", "default");
        Assert.True(byName.ExitCode == ExitCodes.Ok, byName.Error);
        Assert.Contains("default: 0 of 4 at ≥ 99% test", byName.Output);
    }

    [Fact]
    public async Task Bad_reports_and_options_are_named_and_no_figure_is_written()
    {
        string figure = Path.Combine(_dir, "out.png");
        async Task Refused(string expected, params string[] args)
        {
            var result = await CliRunner.RunAsync(["compare", .. args, "--out", figure]);
            Assert.Equal(ExitCodes.Usage, result.ExitCode);
            Assert.Contains(expected, result.Error);
            Assert.False(File.Exists(figure));
        }

        string missing = Path.Combine(_dir, "nowhere");
        await Refused($"error: {missing}: no such file or folder", missing);
        string empty = Directory.CreateDirectory(Path.Combine(_dir, "empty")).FullName;
        await Refused($"error: {empty} has no results.json", empty);
        string broken = Path.Combine(_dir, "broken.json");
        File.WriteAllText(broken, "{\n  \"sweep\": \"x\",\n  \"runs\": [ {\"result\": 7} ]\n}\n");
        await Refused($"error: {broken}:3:", broken);
        string other = Path.Combine(_dir, "other.json");
        File.WriteAllText(other, "{ \"name\": \"not a report\" }");
        await Refused($"error: {other}: not a sweep's results.json (it needs \"sweep\" and \"runs\")", other);

        // A noop sweep's report is well formed but has no curves to draw.
        string noop = Path.Combine(_dir, "noop.yaml");
        File.WriteAllText(noop, "name: flat\ntask: noop\nseeds: [1]\n");
        string report = Path.Combine(_dir, "flat");
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync("run", noop, "--db", Db, "--report", report)).ExitCode);
        Assert.False(File.Exists(Path.Combine(report, SweepReport.ValidationCurvesFile)));
        await Refused("no finished run with a validation curve in flat", report);

        string real = await RunSweep("real", "0.02");
        await Refused("no run named 'nope' in real", real, "--name", "nope");
        await Refused("2 labels for 1 groups with curves (real)", real, "--label", "a", "--label", "b");
    }
}
