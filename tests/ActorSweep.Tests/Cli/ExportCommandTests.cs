using System.Text.Json;
using ActorSweep.Seed.Cli;

namespace ActorSweep.Tests.Cli;

/// <summary>`actorsweep export`: a sweep run's model out of the database (or a checkpoint directory), into eval.</summary>
public sealed class ExportCommandTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("actorsweep-export-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    string Db => Path.Combine(_dir, "actorsweep.db");

    string Sweep(string name)
    {
        string path = Path.Combine(_dir, name + ".yaml");
        File.WriteAllText(path, $$"""
            name: {{name}}
            task: addition
            seeds: [1]
            budget: { steps: 40, eval_every: 20, checkpoint_every: 20 }
            defaults: { base: pico-7d-ff14-lr02, batch_size: 32, validation_size: 100, eval_size: 100, test_size: 300 }
            """);
        return path;
    }

    /// <summary>Runs the sweep named <paramref name="name"/> on one slot and asserts it succeeded.</summary>
    async Task RunSweep(string name, params string[] options)
    {
        var run = await CliRunner.RunAsync(["run", Sweep(name), "--db", Db, "--slots", "1", .. options]);
        Assert.True(run.ExitCode == ExitCodes.Ok, run.Error + run.Output);
    }

    [Fact]
    public async Task A_completed_runs_exported_model_scores_what_the_sweep_reported()
    {
        string report = Path.Combine(_dir, "report");
        await RunSweep("tiny", "--report", report);

        string model = Path.Combine(_dir, "tiny.ckpt");
        var export = await CliRunner.RunAsync("export", "tiny", "default@s1", "--out", model, "--db", Db);
        Assert.True(export.ExitCode == ExitCodes.Ok, export.Error);
        Assert.Contains("checkpoint at step 40 (completed)", export.Output);

        // The exported model is the run's final one: on the run's own 300 test pairs it scores digit for digit what the run reported.
        var eval = await CliRunner.RunAsync("eval", "--checkpoint", model, "--n", "300", "--json");
        Assert.True(eval.ExitCode == ExitCodes.Ok, eval.Error);
        using var scored = JsonDocument.Parse(eval.Output);
        using var reported = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "results.json")));
        var runReport = reported.RootElement.GetProperty("runs")[0].GetProperty("report");
        Assert.Equal(40, scored.RootElement.GetProperty("steps").GetInt64());
        Assert.Equal(Digits(runReport), Digits(scored.RootElement));
        Assert.Equal(runReport.GetProperty("exact_match").GetDouble(), scored.RootElement.GetProperty("exact_match").GetDouble());
    }

    static double[] Digits(JsonElement report) => report.GetProperty("per_digit_accuracy").EnumerateArray().Select(d => d.GetDouble()).ToArray();

    [Fact]
    public async Task Checkpoints_kept_as_files_export_byte_for_byte_and_mistakes_are_named()
    {
        string directory = Path.Combine(_dir, "checkpoints");
        await RunSweep("files", "--checkpoints", directory);
        string model = Path.Combine(_dir, "files.ckpt");

        var noDirectory = await CliRunner.RunAsync("export", "files", "default@s1", "--out", model, "--db", Db);
        Assert.Equal(ExitCodes.Usage, noDirectory.ExitCode);
        Assert.Contains("keeps its checkpoints as files", noDirectory.Error);
        Assert.Contains("--checkpoints DIR", noDirectory.Error);

        var unknownRun = await CliRunner.RunAsync("export", "files", "default@s2", "--out", model, "--db", Db);
        Assert.Equal(ExitCodes.Usage, unknownRun.ExitCode);
        Assert.Contains("sweep 'files' has no run 'default@s2'; its runs: default@s1", unknownRun.Error);

        var unknownSweep = await CliRunner.RunAsync("export", "nope", "default@s1", "--out", model, "--db", Db);
        Assert.Equal(ExitCodes.Usage, unknownSweep.ExitCode);
        Assert.Contains("no sweep named 'nope'", unknownSweep.Error);
        Assert.False(File.Exists(model));

        // A destination that cannot be written (a path through a file) is an error naming it, not a crash.
        string throughFile = Path.Combine(Db, "model.ckpt");
        var unwritable = await CliRunner.RunAsync("export", "files", "default@s1", "--out", throughFile, "--db", Db, "--checkpoints", directory);
        Assert.Equal(ExitCodes.Failed, unwritable.ExitCode);
        Assert.Contains($"error: cannot write {throughFile}", unwritable.Error);

        var export = await CliRunner.RunAsync("export", "files", "default@s1", "--out", model, "--db", Db, "--checkpoints", directory);
        Assert.True(export.ExitCode == ExitCodes.Ok, export.Error);
        string kept = Assert.Single(Directory.GetFiles(directory, "*.ckpt", SearchOption.AllDirectories));
        Assert.Equal(File.ReadAllBytes(kept), File.ReadAllBytes(model));
    }
}
