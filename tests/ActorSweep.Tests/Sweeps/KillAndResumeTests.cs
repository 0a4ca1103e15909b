using System.Diagnostics;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Persistence;
using ActorSweep.Seed.Sweeps;
using ActorSweep.Tests.Cli;

namespace ActorSweep.Tests.Sweeps;

/// <summary>
/// The embedded `actorsweep run` process killed with SIGKILL mid-sweep, then started again with
/// the same command: the sweep finishes, no run is lost or counted twice, and every result equals
/// the same run trained without interruption.
/// </summary>
public sealed class KillAndResumeTests(ITestOutputHelper output) : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("actorsweep-kill-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    const string Sweep = """
        name: killed
        task: addition
        seeds: [1, 2, 3, 4]
        retries: 1
        budget: { steps: 1000, eval_every: 500, checkpoint_every: 100 }
        defaults:
          d_model: 8
          d_ff: 16
          batch_size: 32
          curriculum: [[1, 3, 1000]]
          eval_digits: 3
          eval_size: 50
          validation_size: 200
          test_size: 500
        """;

    [Fact]
    public async Task A_sweep_killed_with_SIGKILL_finishes_after_a_restart_with_every_run_completed_once_and_identical()
    {
        string file = Path.Combine(_dir, "killed.yaml");
        File.WriteAllText(file, Sweep);
        string db = Path.Combine(_dir, "actorsweep.db");
        string[] args = ["run", file, "--db", db, "--slots", "2", "--report", Path.Combine(_dir, "report")];

        using (var first = Start(args))
        {
            var firstOutput = Task.WhenAll(first.StandardOutput.ReadToEndAsync(), first.StandardError.ReadToEndAsync());
            await WaitUntilMidSweepAsync(db, first);
            first.Kill(); // SIGKILL: no drain, no goodbye
            await first.WaitForExitAsync();
            await firstOutput;
        }

        await using (var journal = await JournalReader.OpenAsync(JournalDatabase.ExistingSqlite(db)))
        {
            var state = (await journal.StateAsync("killed"))!;
            Assert.Contains(state.Runs.Values, r => r.Status == RunStatus.Running); // killed with work in flight
            Assert.Contains(state.Runs.Values, r => r.Status == RunStatus.Completed);
        }

        using (var second = Start(args))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            var stderr = second.StandardError.ReadToEndAsync(timeout.Token);
            string stdout = await second.StandardOutput.ReadToEndAsync(timeout.Token);
            await second.WaitForExitAsync(timeout.Token);
            output.WriteLine(stdout);
            Assert.True(second.ExitCode == 0, $"restart exited {second.ExitCode}: {await stderr}");
            Assert.Contains("Resuming", stdout);
        }

        await using (var journal = await JournalReader.OpenAsync(JournalDatabase.ExistingSqlite(db)))
        {
            var events = (await journal.EventsAsync("killed")).Select(e => e.Event).ToList();
            var state = JournalReader.Fold("killed", events);
            Assert.True(state.Finished);
            var definition = SweepFile.Load(file);
            var store = JournalDatabase.ExistingSqlite(db).CheckpointStore();
            foreach (var spec in definition.Runs)
            {
                Assert.Single(events.OfType<RunCompleted>(), c => c.RunId == spec.RunId); // not lost, not counted twice
                var (report, weights) = ReliabilityTests.UninterruptedWithWeights(spec);
                Assert.Equal(ReliabilityTests.Comparable(report), ReliabilityTests.Comparable(state.Runs[spec.RunId].Report!));
                Assert.Equal(weights, ReliabilityTests.FinalWeights(store, state.Runs[spec.RunId]));
            }
            var lost = events.OfType<RunRequeued>().Where(r => r.Reason.Contains("left the cluster")).ToList();
            Assert.NotEmpty(lost);
            var resumedFrom = new List<long?>();
            foreach (var requeue in lost)
            {
                // The next attempt starts from exactly the checkpoint the journal held when the node was lost.
                var atLoss = JournalReader.Fold("killed", events.TakeWhile(e => !ReferenceEquals(e, requeue)));
                var resumed = events.OfType<RunAssigned>().Single(a => a.RunId == requeue.RunId && a.Attempt == requeue.Attempt + 1);
                Assert.Equal(atLoss.Runs[requeue.RunId].Checkpoint, resumed.ResumeFrom);
                resumedFrom.Add(resumed.ResumeFrom?.Step);
            }
            output.WriteLine($"runs requeued after the kill resumed from steps: {string.Join(", ", resumedFrom.Select(s => s?.ToString() ?? "0 (no checkpoint yet)"))}");
            Assert.Contains(resumedFrom, s => s > 0);
            Assert.Equal(0, state.Runs.Values.Sum(r => r.Failures));
        }
    }

    [Fact]
    public async Task Ctrl_C_checkpoints_and_hands_back_the_running_runs_and_the_same_command_resumes_them()
    {
        string file = Path.Combine(_dir, "interrupted.yaml");
        File.WriteAllText(file, "name: interrupted\ntask: noop\nseeds: [1, 2, 3]\ndefaults: { steps: 2000, step_seconds: 0.005, checkpoint_every: 5000 }\n");
        string db = Path.Combine(_dir, "actorsweep.db");
        int port = Infrastructure.PostgresServer.FreePort();
        string[] args = ["run", file, "--db", db, "--slots", "2", "--report", Path.Combine(_dir, "report"), "--http", $"http://127.0.0.1:{port}"];

        using (var first = Start(args))
        {
            var stdout = first.StandardOutput.ReadToEndAsync();
            var stderr = first.StandardError.ReadToEndAsync();
            using var api = global::ActorSweep.Seed.Api.ApiClient.Create($"http://127.0.0.1:{port}", null);
            string seen = "nothing";
            for (var deadline = DateTime.UtcNow.AddMinutes(2); ; await Task.Delay(50))
            {
                if (first.HasExited) Assert.Fail($"actorsweep run exited ({first.ExitCode}) before it could be interrupted; last seen {seen}\n{await stdout}\n{await stderr}");
                Assert.True(DateTime.UtcNow < deadline, $"the runs never got going; last seen {seen}");
                try
                {
                    var live = (await api.StateAsync("interrupted")).Live;
                    seen = live is null ? "no live progress" : string.Join("; ", live.Select(p => $"{p.RunId} step {p.Step}"));
                    if (live is { Count: 2 } && live.All(p => p.Step is >= 20 and <= 1500)) break;
                }
                catch (global::ActorSweep.Seed.Api.ApiException e) { seen = e.Message; } // not listening yet, or not submitted yet
            }
            Infrastructure.Signals.Send(first.Id, Infrastructure.Signals.Interrupt); // Ctrl-C
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await first.WaitForExitAsync(timeout.Token);
            output.WriteLine(await stdout);
            Assert.Equal(130, first.ExitCode);
            Assert.Contains("Stopped; 2 running run(s) saved", await stdout);
        }

        await using (var journal = await JournalReader.OpenAsync(JournalDatabase.ExistingSqlite(db)))
        {
            var events = (await journal.EventsAsync("interrupted")).Select(e => e.Event).ToList();
            var released = events.OfType<RunRequeued>().ToList();
            Assert.Equal(2, released.Count);
            Assert.All(released, r => Assert.StartsWith("released by", r.Reason));
            // Each was checkpointed where it stood, not at the (never reached) cadence.
            Assert.All(released, r => Assert.InRange(events.OfType<RunCheckpointed>().Single(c => c.RunId == r.RunId).Checkpoint.Step, 20, 1999));
        }

        using (var second = Start(args))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var stderr = second.StandardError.ReadToEndAsync(timeout.Token);
            string stdout = await second.StandardOutput.ReadToEndAsync(timeout.Token);
            await second.WaitForExitAsync(timeout.Token);
            Assert.True(second.ExitCode == 0, $"restart exited {second.ExitCode}: {await stderr}");
            Assert.Contains("Resuming", stdout);
        }
        await using (var journal = await JournalReader.OpenAsync(JournalDatabase.ExistingSqlite(db)))
        {
            var events = (await journal.EventsAsync("interrupted")).Select(e => e.Event).ToList();
            var state = JournalReader.Fold("interrupted", events);
            Assert.True(state.Finished);
            Assert.All(state.Runs.Values, r => Assert.Equal((RunStatus.Completed, 2000L), (r.Status, r.Report!.Steps)));
            Assert.All(state.Runs.Keys, id => Assert.Single(events.OfType<RunCompleted>(), c => c.RunId == id));
            foreach (var requeue in events.OfType<RunRequeued>())
            {
                var resumed = events.OfType<RunAssigned>().Single(a => a.RunId == requeue.RunId && a.Attempt == requeue.Attempt + 1);
                Assert.InRange(resumed.ResumeFrom!.Step, 20, 1999); // went on from where Ctrl-C left it
            }
        }
    }

    /// <summary>
    /// `actorsweep` as its own process. It starts through `env --default-signal=INT`: a test run
    /// launched in the background (`scripts/test.sh &`) inherits SIGINT ignored, as shells set it
    /// for background jobs, and .NET leaves an ignored SIGINT ignored, so Ctrl-C would never arrive.
    /// </summary>
    static Process Start(string[] args)
    {
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("--default-signal=INT");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(CliRunner.ProgramPath);
        foreach (var a in args) start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }

    /// <summary>
    /// Waits until the journal shows a completed run and a running one with a checkpoint and at
    /// least 400 of its 1,000 steps still to go, so the kill lands well before it finishes.
    /// </summary>
    static async Task WaitUntilMidSweepAsync(string db, Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (!File.Exists(db))
        {
            Assert.False(process.HasExited, "actorsweep run exited before creating its database");
            await Task.Delay(50, timeout.Token);
        }
        await using var journal = await JournalReader.OpenAsync(JournalDatabase.ExistingSqlite(db));
        while (true)
        {
            Assert.False(process.HasExited, "actorsweep run finished before the test could kill it mid-sweep");
            var state = await journal.StateAsync("killed", cancel: timeout.Token);
            if (state is not null
                && state.Runs.Values.Any(r => r.Status == RunStatus.Completed)
                && state.Runs.Values.Any(r => r.Status == RunStatus.Running && r.Checkpoint is { Step: >= 100 and <= 600 }))
                return;
            await Task.Delay(100, timeout.Token);
        }
    }
}
