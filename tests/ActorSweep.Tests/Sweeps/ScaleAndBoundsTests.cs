using System.Text.Json;
using ActorSweep.Messages.Serialization;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Cli;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Persistence;
using ActorSweep.Tests.Cli;
using ActorSweep.Tests.Infrastructure;

namespace ActorSweep.Tests.Sweeps;

/// <summary>Reads that start from snapshots, and what a failed run tells its user.</summary>
public sealed class ScaleAndBoundsTests(PostgresServer postgres)
{
    [Theory, MemberData(nameof(SweepHarness.Backends), MemberType = typeof(SweepHarness))]
    public async Task The_state_after_any_event_recovered_from_retained_snapshots_equals_a_fold_of_the_journal(string backend)
    {
        await using var harness = await SweepHarness.CreateAsync(backend, postgres);
        var (_, client) = await harness.StartAsync(slots: 2, o => o with { SnapshotEvery = 5 });
        // Steps take a little time, so writes settle between reports and snapshots are taken at their interval even on a loaded machine.
        var finished = await SweepHarness.RunAsync(client, SweepHarness.Sweep("name: snaps\ntask: noop\nseeds: [1, 2, 3, 4, 5, 6]\ndefaults: { steps: 4, checkpoint_every: 1, step_seconds: 0.02 }\n"),
            TimeSpan.FromMinutes(1));

        await using var reader = await JournalReader.OpenAsync(harness.Database);
        var events = await reader.EventsAsync("snaps");
        Assert.Equal(finished.EventCount, events.Count);
        // A finished sweep is snapshotted at its last event (written just after it), compressed.
        await Eventually.TrueAsync(() => Scalar<long>(harness.Database, "SELECT MAX(sequence_number) FROM snapshot WHERE persistence_id = @id") == events.Count,
            TimeSpan.FromSeconds(20), "the finished sweep's snapshot");
        Assert.True(Scalar<long>(harness.Database, "SELECT COUNT(*) FROM snapshot WHERE persistence_id = @id") > 1, "older snapshots are kept, not only the latest");
        byte[] latest = Scalar<byte[]>(harness.Database, "SELECT snapshot FROM snapshot WHERE persistence_id = @id ORDER BY sequence_number DESC LIMIT 1");
        Assert.True(SweepMessageSerializer.IsCompressed(latest));
        for (int n = 1; n <= events.Count; n++)
        {
            var (state, last) = await reader.RecoverAsync("snaps", n);
            Assert.Equal(n, last);
            Assert.Equal(Json(JournalReader.Fold("snaps", events.Take(n).Select(e => e.Event))), Json(state!));
        }
        Assert.Equal(Json(finished), Json((await reader.StateAsync("snaps"))!));
        Assert.Equal(finished.Summary().CountsOnly(), await reader.SummaryAsync("snaps")); // from the snapshot's counts, its runs unread
        Assert.Equal((null, 0L), await reader.RecoverAsync("no-such-sweep"));
    }

    [Fact]
    public async Task A_node_with_a_model_bound_skips_a_sweep_whose_runs_do_not_fit_and_trains_a_later_one()
    {
        await using var harness = await SweepHarness.CreateAsync("sqlite", postgres);
        var (_, client) = await harness.StartAsync(slots: 1, o => o with { AdjustNode = n => n with { MaxParameters = 1_000 } });
        var big = SweepHarness.Sweep("name: big\ntask: addition\nruns:\n  - { name: wide, d_model: 64, d_ff: 256, steps: 10 }\n");
        Assert.True(big.Runs[0].Definition.ParameterCount > 1_000);
        Assert.IsType<SweepAccepted>(await client.SubmitAsync(big)); // the oldest sweep with queued runs: none fits the node
        var small = await SweepHarness.RunAsync(client, SweepHarness.Sweep("name: small\ntask: noop\nseeds: [1, 2, 3]\ndefaults: { steps: 2 }\n"), TimeSpan.FromMinutes(1));
        Assert.Equal(3, small.Summary().Completed);
        var waiting = (await client.StateAsync("big"))!;
        Assert.Equal((1, 0), (waiting.Counts.Queued, waiting.Runs["wide@s42"].Attempt)); // never handed to the small node
    }

    [Fact]
    public async Task A_run_that_fails_for_good_makes_run_exit_1_and_shows_its_root_cause()
    {
        string dir = Directory.CreateTempSubdirectory("actorsweep-fail-").FullName;
        try
        {
            string file = Path.Combine(dir, "fails.yaml");
            File.WriteAllText(file, "name: fails\ntask: noop\nretries: 0\ndefaults: { steps: 3, checkpoint_every: 1 }\n");
            string notADirectory = Path.Combine(dir, "a-file");
            File.WriteAllText(notADirectory, "checkpoints cannot go under a file");
            string db = Path.Combine(dir, "actorsweep.db");
            var run = await CliRunner.RunAsync("run", file, "--db", db, "--slots", "1", "--checkpoints", notADirectory, "--report", Path.Combine(dir, "report"));
            Assert.True(run.ExitCode == ExitCodes.Failed, $"exit {run.ExitCode}\n{run.Output}\n{run.Error}");
            Assert.Contains("1 run(s) failed for good", run.Output);

            var status = await CliRunner.RunAsync("status", "fails", "--db", db);
            Assert.Contains("DirectoryNotFoundException", status.Output);      // the cause itself,
            Assert.DoesNotContain("Exception during creation", status.Output); // not Akka's wrapper
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_failure_while_a_training_actor_starts_is_reported_by_its_innermost_cause()
    {
        var wrapped = new Akka.Actor.ActorInitializationException(null, "Exception during creation",
            new System.Reflection.TargetInvocationException(new OutOfMemoryException("60,000,000,000 parameters do not fit")));
        Assert.Equal("OutOfMemoryException: 60,000,000,000 parameters do not fit", ActorSweep.GpuNode.Node.NodeAgent.RootCause(wrapped));
    }

    static string Json(SweepState state) => JsonSerializer.Serialize(state, SweepMessageSerializer.Json);

    /// <summary>A query about sweep "snaps" (its persistence id is @id).</summary>
    static T Scalar<T>(JournalDatabase database, string sql)
    {
        using var connection = database.CreateConnection();
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var id = command.CreateParameter();
        id.ParameterName = "id";
        id.Value = "sweep-snaps";
        command.Parameters.Add(id);
        var value = command.ExecuteScalar();
        return value is T typed ? typed : (T)Convert.ChangeType(value, typeof(T))!;
    }
}

/// <summary>A stopped sweep actor comes back with an exponential, capped back-off.</summary>
public sealed class SweepRestartTests
{
    [Fact]
    public void The_restart_delay_doubles_per_failure_in_a_row_up_to_thirty_seconds()
    {
        Assert.Equal([0.5, 1, 2, 4, 8, 16, 30, 30], Enumerable.Range(1, 8).Select(n => ActorSweep.Seed.Supervisor.SweepSupervisor.RestartDelay(n).TotalSeconds));
    }
}

/// <summary>The counts-only fold `status` uses moves runs exactly as <see cref="SweepState.Apply"/> does.</summary>
public sealed class SweepCountsTests
{
    [Fact]
    public void Counts_folded_without_runs_equal_the_states_after_every_event()
    {
        var t = SweepFixtures.T0;
        var definition = SweepFixtures.Definition(1, "a", "b", "c", "d");
        ActorSweep.Messages.ISweepEvent[] events =
        [
            new SweepSubmitted("s", definition, t),
            new RunsQueued("s", ["a", "b", "c", "d"]),
            new RunAssigned("s", "a", 1, "n1", null, t),
            new RunAssigned("s", "b", 1, "n1", null, t),
            new RunCheckpointed("s", "a", 1, SweepFixtures.Checkpoint(5)),
            new RunCompleted("s", "a", 1, SweepFixtures.Report(), t),
            new RunFailed("s", "b", 1, "boom", false, t),
            new RunRequeued("s", "b", 1, "retry"),
            new RunAssigned("s", "b", 2, "n2", null, t),
            new RunFailed("s", "b", 2, "boom", true, t),
            new RunAssigned("s", "c", 1, "n2", null, t),
            new SweepCancelled("s", "stop", t),
            new RunRequeued("s", "c", 1, "released"),
        ];
        var state = SweepState.Empty("s");
        var counts = SweepCounts.Empty("s");
        for (int i = 0; i < events.Length; i++)
        {
            state = state.Apply(events[i]);
            counts = counts.Apply(events[i]);
            Assert.Equal(state.Summary().CountsOnly(), counts.Summary());
            // and from a snapshot taken at any point
            var resumed = events.Skip(i + 1).Aggregate(SweepCounts.Of(state), (c, e) => c.Apply(e));
            Assert.Equal(events.Aggregate(SweepState.Empty("s"), (s, e) => s.Apply(e)).Summary().CountsOnly(), resumed.Summary());
        }
        Assert.Equal(new SweepSummary("s", "noop", 4, 0, 0, 1, 1, true, true), counts.Summary());
    }
}
