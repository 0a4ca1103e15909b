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
        Assert.Contains("lr 0.001: 0 of 2 runs at ≥ 99% test", compare.Output);
        Assert.Contains("lr 0.02: 0 of 2 runs at ≥ 99% test", compare.Output);
        Assert.Equal(2, compare.Output.Split('\n').Count(l => l.Contains("│ 2 ") && l.Contains("│ 40 ")));

        // By run name: both sweeps' runs are named "default", so they make one group of 4.
        var byName = await CliRunner.RunAsync("compare", slow, fast, "--out", figure, "--by", "name", "--name", "default");
        Assert.True(byName.ExitCode == ExitCodes.Ok, byName.Error);
        Assert.Contains("default: 0 of 4 runs at ≥ 99% test", byName.Output);
    }

    [Fact]
    public async Task Bad_reports_and_options_are_named_and_the_figure_is_left_as_it_was()
    {
        // A figure from an earlier compare sits at --out: a refused command must leave it byte for byte.
        string figure = Path.Combine(_dir, "out.png");
        byte[] earlier = [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3];
        File.WriteAllBytes(figure, earlier);
        async Task Refused(string expected, string[] args, string? output = null)
        {
            var result = await CliRunner.RunAsync(["compare", .. args, "--out", output ?? figure]);
            Assert.Equal(ExitCodes.Usage, result.ExitCode);
            Assert.Contains(expected, result.Error);
            Assert.Equal(earlier, File.ReadAllBytes(figure));
        }

        string missing = Path.Combine(_dir, "nowhere");
        await Refused($"error: {missing}: no such file or folder", [missing]);
        string empty = Directory.CreateDirectory(Path.Combine(_dir, "empty")).FullName;
        await Refused($"error: {empty} has no results.json", [empty]);
        string broken = Path.Combine(_dir, "broken.json");
        File.WriteAllText(broken, "{\n  \"sweep\": \"x\",\n  \"runs\": [ {\"result\": 7} ]\n}\n");
        await Refused($"error: {broken}:3:", [broken]);
        string other = Path.Combine(_dir, "other.json");
        File.WriteAllText(other, "{ \"name\": \"not a report\" }");
        await Refused($"error: {other}: not a sweep's results.json (it needs \"sweep\" and \"runs\")", [other]);
        string nullPoint = Path.Combine(_dir, "null-point.json");
        File.WriteAllText(nullPoint, """{ "sweep": "x", "runs": [ { "result": { "run_id": "a@s1", "name": "a" }, "report": { "model": "m", "validation_curve": [null] } } ] }""");
        await Refused("run 'a@s1' has a report whose validation_curve is missing or holds a null point", [nullPoint]);

        // A noop sweep's report is well formed but has no curves: alone or beside a real sweep, it is named, not dropped.
        string noop = Path.Combine(_dir, "noop.yaml");
        File.WriteAllText(noop, "name: flat\ntask: noop\nseeds: [1]\n");
        string flat = Path.Combine(_dir, "flat");
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync("run", noop, "--db", Db, "--report", flat)).ExitCode);
        Assert.False(File.Exists(Path.Combine(flat, SweepReport.ValidationCurvesFile)));
        await Refused("sweep 'flat' has no finished run with a validation curve", [flat]);
        string real = await RunSweep("real", "0.02");
        await Refused("sweep 'flat' has no finished run with a validation curve", [real, flat]);

        await Refused("no finished run named 'nope' with a validation curve in real", [real, "--name", "nope"]);
        await Refused("2 labels for 1 groups (real)", [real, "--label", "a", "--label", "b"]);
        await Refused($"{Path.Combine(real, "results.json")} is given twice", [real, Path.Combine(real, "results.json")]);
        await Refused("is one of the inputs", [real], Path.Combine(real, "results.json"));
        await Refused("the figure is a PNG, name it *.png", [real], Path.Combine(_dir, "out.jpg"));
        await Refused("is a folder: name the PNG file to write", [real], empty);
        var byWhat = await CliRunner.RunAsync("compare", real, "--out", figure, "--by", "colour");
        Assert.Equal(ExitCodes.Usage, byWhat.ExitCode);
        Assert.Contains("colour", byWhat.Error);
        Assert.Equal(earlier, File.ReadAllBytes(figure));
    }
}
