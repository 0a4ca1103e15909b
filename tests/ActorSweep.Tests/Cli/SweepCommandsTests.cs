using System.Security.Cryptography;
using System.Text.Json;
using ActorSweep.Cli;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Cli;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Sweeps;
using Microsoft.Extensions.Hosting;

namespace ActorSweep.Tests.Cli;

/// <summary>`actorsweep run`, `status`, `results` and `replay` on a temporary database.</summary>
public sealed class SweepCommandsTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("actorsweep-cmd-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    string Db => Path.Combine(_dir, "actorsweep.db");

    [Fact]
    public async Task A_malformed_sweep_is_refused_before_the_database_is_created()
    {
        string bad = Write("bad.yaml", "name: bad\ntask: addition\ngrid:\n  d_modle: [7, 8]\n");
        var result = await CliRunner.RunAsync("run", bad, "--db", Db);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"error: {bad}:4:3: grid.d_modle: 'd_modle' is not an option of task 'addition' (did you mean 'd_model'?)", result.Error);
        Assert.False(File.Exists(Db));
    }

    [Fact]
    public async Task A_malformed_sweep_leaves_an_existing_database_byte_for_byte_untouched()
    {
        string good = Write("good.yaml", "name: good\ntask: noop\nseeds: [1, 2]\n");
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync("run", good, "--db", Db, "--report", Path.Combine(_dir, "r"))).ExitCode);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var before = Fingerprint();

        string bad = Write("bad.yaml", "name: good2\ntask: noop\nseeds: [1, 1]\n");
        var result = await CliRunner.RunAsync("run", bad, "--db", Db);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("seeds must be distinct", result.Error);
        Assert.Equal(before, Fingerprint());
    }

    /// <summary>Hashes of every file of the database (main file, WAL, shared memory).</summary>
    Dictionary<string, string> Fingerprint() => Directory.GetFiles(_dir, "actorsweep.db*")
        .ToDictionary(Path.GetFileName, f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))!)!;

    [Fact]
    public async Task Run_then_status_results_and_replay_read_the_journal()
    {
        string sweep = Write("inspect.yaml", """
            name: inspect
            task: noop
            seeds: [1, 2, 3]
            defaults: { steps: 4, checkpoint_every: 2 }
            """);
        string report = Path.Combine(_dir, "report");
        var run = await CliRunner.RunAsync("run", sweep, "--db", Db, "--slots", "2", "--report", report);
        Assert.True(run.ExitCode == ExitCodes.Ok, run.Error + run.Output);
        Assert.Contains("results of inspect", run.Output);
        foreach (var file in new[] { "results.csv", "results.json", "summary.md" })
            Assert.True(File.Exists(Path.Combine(report, file)), $"{file} is missing");
        Assert.Equal(4, File.ReadAllLines(Path.Combine(report, "results.csv")).Length);

        var all = await CliRunner.RunAsync("status", "--db", Db);
        Assert.Equal(ExitCodes.Ok, all.ExitCode);
        Assert.Matches(@"inspect\s+noop\s+3\s+3\s+0\s+0\s+0\s+0\s+0\s+finished", all.Output); // completed, failed, running, queued, paused, pruned

        var one = await CliRunner.RunAsync("status", "inspect", "--db", Db);
        Assert.Contains("3 completed, 0 failed, 0 running, 0 queued of 3", one.Output);

        var results = await CliRunner.RunAsync("results", "inspect", "--db", Db, "--json");
        using var json = JsonDocument.Parse(results.Output);
        Assert.Equal(3, json.RootElement.GetArrayLength());
        Assert.All(json.RootElement.EnumerateArray(), r => Assert.Equal("completed", r.GetProperty("status").GetString()));

        // The table shows the best --top runs and says how many it left out; JSON has them all.
        var table = await CliRunner.RunAsync("results", "inspect", "--db", Db, "--top", "2");
        Assert.Equal(2, table.Output.Split('\n').Count(l => l.Contains("│ default@s")));
        Assert.Contains("The best 2 of 3 runs; every row: --top 0", table.Output);
        var whole = await CliRunner.RunAsync("results", "inspect", "--db", Db, "--top", "0");
        Assert.Equal(3, whole.Output.Split('\n').Count(l => l.Contains("│ default@s")));
        Assert.DoesNotContain("The best", whole.Output);

        // 2 (submitted, queued) + per run: assigned, checkpoint at step 2, completed = 11 events.
        var history = await CliRunner.RunAsync("replay", "inspect", "--db", Db);
        Assert.Contains("submitted: 3 runs of noop", history.Output);
        Assert.Equal(3, history.Output.Split('\n').Count(l => l.Contains("completed: test exact match")));

        var early = await CliRunner.RunAsync("replay", "inspect", "--db", Db, "--until", "2");
        Assert.Contains("after event 2 of 11 (queued 3 runs)", early.Output);
        Assert.Contains("0 completed, 0 failed, 0 running, 3 queued of 3", early.Output);

        var tooFar = await CliRunner.RunAsync("replay", "inspect", "--db", Db, "--until", "12");
        Assert.Equal(ExitCodes.Usage, tooFar.ExitCode);
        Assert.Contains("--until must lie in [1, 11]", tooFar.Error);
    }

    /// <summary>
    /// `run` trains its own sweep. Another unfinished sweep in the same database (submitted to a seed
    /// without workers here) keeps its runs queued: it is older, so before the fix `run` trained it
    /// first, with this command's --checkpoints, where its own checkpoints are not.
    /// </summary>
    [Fact]
    public async Task Run_trains_only_its_own_sweep_and_leaves_another_unfinished_one_queued()
    {
        using (var host = await EmbeddedHost.StartAsync(new EmbeddedOptions(JournalDatabase.Sqlite(Db), Slots: 0) { LogFile = Path.Combine(_dir, "other.log") }))
        {
            var reply = await SweepClient.For(host).SubmitAsync(SweepFile.Parse("name: other\ntask: noop\nseeds: [1, 2]\n", "other.yaml"), CancellationToken.None);
            Assert.IsType<SweepAccepted>(reply);
            await host.StopAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        string mine = Write("mine.yaml", "name: mine\ntask: noop\nseeds: [1, 2, 3]\ndefaults: { steps: 4, checkpoint_every: 2 }\n");
        var run = await CliRunner.RunAsync("run", mine, "--db", Db, "--slots", "2", "--report", Path.Combine(_dir, "r"));
        Assert.True(run.ExitCode == ExitCodes.Ok, run.Error + run.Output);
        Assert.Contains("3 completed, 0 failed, 0 running, 0 queued of 3", (await CliRunner.RunAsync("status", "mine", "--db", Db)).Output);
        var other = await CliRunner.RunAsync("status", "other", "--db", Db);
        Assert.Contains("0 completed, 0 failed, 0 running, 2 queued of 2", other.Output);
        Assert.DoesNotContain("other", (await CliRunner.RunAsync("replay", "mine", "--db", Db)).Output);
    }

    [Fact]
    public async Task Inspecting_an_unknown_sweep_or_a_missing_database_is_a_clear_error()
    {
        var missing = await CliRunner.RunAsync("status", "--db", Path.Combine(_dir, "none.db"));
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("no ActorSweep database at", missing.Error);
        Assert.False(File.Exists(Path.Combine(_dir, "none.db")));

        string sweep = Write("one.yaml", "name: one\ntask: noop\n");
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync("run", sweep, "--db", Db, "--report", Path.Combine(_dir, "r"))).ExitCode);
        var unknown = await CliRunner.RunAsync("results", "two", "--db", Db);
        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Contains("no sweep named 'two'; known sweeps: one", unknown.Error);
    }
}
