using System.Text.Json;
using ActorSweep.Messages.Serialization;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Persistence;
using ActorSweep.Seed.Supervisor;
using ActorSweep.Tests.Infrastructure;

namespace ActorSweep.Tests.Sweeps;

/// <summary>Schedulers and stop rules in real sweeps: the embedded runner's actors, its journal and its nodes.</summary>
public sealed class SchedulerSweepTests(PostgresServer postgres)
{
    /// <summary>12 made-up learning curves (noop) under ASHA: rungs at 1, 3, 9 and 27 steps, complete at 81.</summary>
    const string Curves = """
        name: curves
        task: noop
        seeds: [1]
        defaults: { steps: 81, checkpoint_every: 9 }
        grid:
          plateau: [0.6, 0.8, 1.0]
          rate: [0.01, 0.05, 0.2, 1.0]
        scheduler: { type: asha, min_steps: 1, reduction_factor: 3 }
        """;

    [Fact]
    public async Task ASHA_with_one_slot_and_four_rungs_finishes_trains_the_best_run_to_the_end_and_spends_a_fraction_of_the_grid()
    {
        await using var harness = await SweepHarness.CreateAsync("sqlite", postgres);
        var (_, client) = await harness.StartAsync(slots: 1); // fewer slots than rungs: paused runs must not deadlock it
        var definition = SweepHarness.Sweep(Curves);
        var state = await SweepHarness.RunAsync(client, definition, TimeSpan.FromMinutes(2));

        Assert.True(state.Finished);
        Assert.All(state.Runs.Values, r => Assert.Contains(r.Status, new[] { RunStatus.Completed, RunStatus.Pruned }));
        var best = state.Runs["plateau=1.0,rate=1.0@s1"];
        Assert.Equal((RunStatus.Completed, 81L), (best.Status, best.Report!.Steps));
        Assert.Equal([0, 1, 2, 3], best.Rungs!.Select(r => r.Rung));
        Assert.True(state.StepsSpent * 3 < 12 * 81, $"ASHA spent {state.StepsSpent} steps; the grid would spend {12 * 81}");
        Assert.All(state.Runs.Values.Where(r => r.Status == RunStatus.Pruned), r => Assert.NotNull(r.Checkpoint)); // kept for a promotion by hand

        // The journal holds every decision: replaying it rebuilds the same state and ladder.
        await using var journal = await JournalReader.OpenAsync(harness.Database);
        var events = (await journal.EventsAsync("curves")).Select(e => e.Event).ToList();
        Assert.Contains(events, e => e is RunPaused);
        Assert.Contains(events, e => e is RunPromoted);
        Assert.Contains(events, e => e is RunPruned);
        var replayed = JournalReader.Fold("curves", events);
        Assert.Equal(JsonSerializer.Serialize(state, SweepMessageSerializer.Json), JsonSerializer.Serialize(replayed, SweepMessageSerializer.Json));
        Assert.Equal(SchedulerDecisions.Ladder(state), SchedulerDecisions.Ladder(replayed));
        Assert.Equal(state.Summary().CountsOnly(), await journal.SummaryAsync("curves"));
        // `replay --until N` shows the ladder as it was: after the first pause, one run had reached rung 0.
        int firstPause = events.FindIndex(e => e is RunPaused) + 1;
        var early = await journal.StateAsync("curves", firstPause);
        Assert.Equal(1, SchedulerDecisions.Ladder(early!)[0].Reached);

        // The command line shows the same: the decisions in the history, the ladder in status and after event N.
        var replay = await Cli.CliRunner.RunAsync("replay", "curves", "--db", harness.DatabasePath);
        Assert.Contains("paused at rung 0 (step 1)", replay.Output);
        Assert.Contains("promoted from rung", replay.Output);
        Assert.Contains("pruned: not in the top", replay.Output);
        var status = await Cli.CliRunner.RunAsync("status", "curves", "--db", harness.DatabasePath);
        Assert.Contains("rungs (asha, η = 3, validation_exact_match (max); max steps 81)", status.Output);
        Assert.Contains($"{state.Counts.Pruned} pruned of 12", status.Output);
        var until = await Cli.CliRunner.RunAsync("replay", "curves", "--until", firstPause.ToString(), "--db", harness.DatabasePath);
        Assert.Matches(@"0\s+1\s+1\s+0\s+1\s+0\s+0", until.Output); // rung 0 at step 1: reached 1, promoted 0, paused 1

        // A user who disagrees promotes a pruned run by hand: it resumes from its checkpoint, reaches its next rung, and the sweep finishes again.
        var rejected = Assert.IsType<SweepRejected>(await client.PromoteAsync("curves", best.Spec.RunId));
        Assert.Contains("is completed; only a paused or pruned run can be promoted", rejected.Reason);
        var underdog = state.OrderedRuns.First(r => r.Status == RunStatus.Pruned && r.Rung == 0);
        Assert.IsType<SweepStateReply>(await client.PromoteAsync("curves", underdog.Spec.RunId));
        SweepState after;
        for (var deadline = DateTime.UtcNow.AddMinutes(1); !(after = (await client.StateAsync("curves"))!).Finished || after.Runs[underdog.Spec.RunId].Rung < 1; await Task.Delay(50))
            Assert.True(DateTime.UtcNow < deadline, "the promoted run did not reach its next rung");
        Assert.Equal(1, after.Runs[underdog.Spec.RunId].Rungs!.Max(r => r.Rung));
        var promoted = (await journal.EventsAsync("curves")).Select(e => e.Event).OfType<RunPromoted>().Last();
        Assert.Equal((underdog.Spec.RunId, "promoted by hand", RunStatus.Pruned), (promoted.RunId, promoted.Reason, promoted.From));
    }

    [Fact]
    public async Task Runs_that_reach_the_target_complete_early_and_the_sweep_stops_once_two_have()
    {
        await using var harness = await SweepHarness.CreateAsync("sqlite", postgres);
        var (_, client) = await harness.StartAsync(slots: 2);
        var state = await SweepHarness.RunAsync(client, SweepHarness.Sweep("""
            name: target
            task: noop
            seeds: [1]
            defaults: { steps: 400, checkpoint_every: 50, step_seconds: 0.002 }
            grid:
              rate: [0.05, 0.04, 0.0001, 0.0002, 0.0003, 0.0004]
            stop: { validation_exact_match: 0.9, runs_at_target: 2 }
            """), TimeSpan.FromMinutes(2));

        Assert.True(state.Cancelled);
        Assert.True(state.ReachedTarget >= 2);
        foreach (var id in new[] { "rate=0.05@s1", "rate=0.04@s1" })
        {
            var run = state.Runs[id];
            Assert.Equal(RunStatus.Completed, run.Status);
            Assert.True(run.AtTarget);
            Assert.True(run.Report!.Steps < 400 && run.Report.ValidationExactMatch >= 0.9, $"{id}: {run.Report.Steps} steps, {run.Report.ValidationExactMatch}");
        }
        // The slow curves never got there; the stop ended them (none trained its whole budget).
        Assert.All(state.Runs.Values.Where(r => !r.AtTarget), r => Assert.Equal(RunStatus.Cancelled, r.Status));
        await using var journal = await JournalReader.OpenAsync(harness.Database);
        var stop = (await journal.EventsAsync("target")).Select(e => e.Event).OfType<SweepCancelled>().Single();
        Assert.Contains("stopped: 2 run(s) reached validation_exact_match 0.9", stop.Reason);
    }

    [Theory, MemberData(nameof(SweepHarness.Backends), MemberType = typeof(SweepHarness))]
    public async Task A_run_paused_and_promoted_at_every_rung_ends_bit_identical_to_the_same_run_trained_straight_through(string backend)
    {
        await using var harness = await SweepHarness.CreateAsync(backend, postgres);
        var (_, client) = await harness.StartAsync(slots: 1);
        var state = await SweepHarness.RunAsync(client, SweepHarness.Sweep(ReliabilityTests.TinyAddition
            .Replace("seeds: [1, 2]", "seeds: [1, 2, 3]")
            .Replace("budget: { steps: 60, eval_every: 20, checkpoint_every: 20 }", "budget: { steps: 180, eval_every: 20, checkpoint_every: 20 }")
            .Replace("curriculum: [[1, 3, 60]]", "curriculum: [[1, 3, 180]]")
            + "\nscheduler: { type: asha, min_steps: 20, reduction_factor: 3 }\n"), TimeSpan.FromMinutes(3));

        var finished = Assert.Single(state.Runs.Values, r => r.Status == RunStatus.Completed);
        Assert.Equal([0, 1], finished.Rungs!.Select(r => r.Rung)); // paused at 20 and 60, promoted twice, resumed each time
        Assert.Equal(3, finished.Attempt);
        Assert.Equal(2, state.Counts.Pruned);
        var (report, weights) = ReliabilityTests.UninterruptedWithWeights(finished.Spec);
        Assert.Equal(ReliabilityTests.Comparable(report), ReliabilityTests.Comparable(finished.Report!));
        Assert.Equal(weights, ReliabilityTests.FinalWeights(harness.Database.CheckpointStore(), finished)); // bit for bit
    }

    [Fact]
    public async Task The_median_rule_stops_slow_curves_while_they_run_and_lets_the_best_finish()
    {
        await using var harness = await SweepHarness.CreateAsync("sqlite", postgres);
        var (_, client) = await harness.StartAsync(slots: 3);
        var state = await SweepHarness.RunAsync(client, SweepHarness.Sweep("""
            name: median
            task: noop
            seeds: [1]
            defaults: { steps: 100, checkpoint_every: 10, step_seconds: 0.005 }
            grid:
              rate: [0.1, 0.05, 0.001, 0.002, 0.003, 0.004]
            scheduler: { type: median, grace_steps: 20, min_runs: 2 }
            """), TimeSpan.FromMinutes(2));

        Assert.True(state.Finished);
        Assert.Equal((RunStatus.Completed, 100L), (state.Runs["rate=0.1@s1"].Status, state.Runs["rate=0.1@s1"].Report!.Steps));
        var pruned = state.Runs.Values.Where(r => r.Status == RunStatus.Pruned).ToList();
        Assert.NotEmpty(pruned);
        Assert.All(pruned, r => Assert.True(r.Checkpoint!.Step is >= 20 and < 100, $"{r.Spec.RunId} pruned at {r.Checkpoint.Step}"));
        Assert.DoesNotContain(pruned, r => r.Spec.RunId is "rate=0.1@s1" or "rate=0.05@s1");
        Assert.All(state.Runs.Values, r => Assert.Equal(0, r.Failures));
    }

    [Fact]
    public async Task A_supervisor_started_again_mid_schedule_carries_on_the_same_schedule()
    {
        await using var harness = await SweepHarness.CreateAsync("sqlite", postgres);
        var definition = SweepHarness.Sweep(Curves.Replace("checkpoint_every: 9 }", "checkpoint_every: 9, step_seconds: 0.01 }"));
        var (first, client) = await harness.StartAsync(slots: 2);
        Assert.IsType<SweepAccepted>(await client.SubmitAsync(definition));
        for (var deadline = DateTime.UtcNow.AddMinutes(1); ; await Task.Delay(50))
        {
            var now = (await client.StateAsync("curves"))!;
            if (now.Runs.Values.Any(r => r.Rungs is { Count: >= 2 })) break; // promoted at least once, mid-ladder
            Assert.True(DateTime.UtcNow < deadline, "no run was promoted");
        }
        await first.StopAsync(); // the supervisor and its node go away (running runs handed back)

        var (_, again) = await harness.StartAsync(slots: 2);
        var state = await SweepHarness.RunAsync(again, definition, TimeSpan.FromMinutes(2)); // the same file: resumed
        Assert.True(state.Finished);
        Assert.All(state.Runs.Values, r => Assert.Contains(r.Status, new[] { RunStatus.Completed, RunStatus.Pruned }));
        await using var journal = await JournalReader.OpenAsync(harness.Database);
        var events = (await journal.EventsAsync("curves")).Select(e => e.Event).ToList();
        Assert.Equal(JsonSerializer.Serialize(state, SweepMessageSerializer.Json), JsonSerializer.Serialize(JournalReader.Fold("curves", events), SweepMessageSerializer.Json));
        foreach (var run in state.Runs.Values) // no rung decided twice: each run paused at each rung at most once
            Assert.Equal(run.Rungs!.Select(r => r.Rung).Distinct().Count(), run.Rungs!.Count);
        Assert.Equal(81, state.Runs["plateau=1.0,rate=1.0@s1"].Report!.Steps);
    }
}
