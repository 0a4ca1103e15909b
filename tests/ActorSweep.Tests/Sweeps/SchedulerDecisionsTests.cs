using System.Collections.Immutable;
using ActorSweep.Messages;
using ActorSweep.Messages.Runs;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Messages.Work;
using ActorSweep.Seed.Supervisor;
using ActorSweep.Tasks.Noop;
using static ActorSweep.Tests.Sweeps.SweepFixtures;

namespace ActorSweep.Tests.Sweeps;

/// <summary>SchedulerDecisions, without actors: rungs, promotions, pruning and stop rules as pure functions of a sweep's state.</summary>
public sealed class SchedulerDecisionsTests
{
    static readonly MetricGoal Exact = new(MetricGoal.ValidationExactMatch, Maximize: true);
    // Rungs at 10 and 30 steps; runs complete at 90.
    static readonly AshaScheduler Asha = new(Exact, MinSteps: 10, ReductionFactor: 3, MaxSteps: 90);

    static RunSpec NoopRun(string id) => new(id, new NoopDefinition(id, 1, 90, 0, 10), ImmutableSortedDictionary<string, string>.Empty);

    static SweepState Sweep(int runs, SchedulerSpec? scheduler = null, StopSpec? stop = null)
    {
        var ids = Enumerable.Range(1, runs).Select(i => $"r{i}").ToImmutableList();
        var definition = new SweepDefinition("s", "noop", 1, ids.Select(NoopRun).ToImmutableList(), "test.yaml", "h", Scheduler: scheduler ?? Asha, Stop: stop);
        return SweepState.Empty("s").Apply(new SweepSubmitted("s", definition, T0)).Apply(new RunsQueued("s", ids));
    }

    /// <summary>Assigns a run (with the limits the decisions give it) and pauses it at its rung with the given result.</summary>
    static SweepState PauseAt(SweepState state, string run, double value, string node = "n1")
    {
        var assigned = SweepDecisions.Assign(state with { Queue = RunQueue.Of([run]) }, node, 1, T0).Single();
        state = state.Apply(assigned);
        long step = assigned.Limits!.PauseAt!.Value;
        var paused = new CheckpointInfo(step, $"ref-{run}-{step}", new RunSummary(1 - value, value));
        return Apply(state, SweepDecisions.OnReport(state, new RunPausedReport("s", run, assigned.Attempt, node, 1, paused), T0));
    }

    static SweepState Apply(SweepState state, Decision decision) =>
        SchedulerDecisions.WithSchedule(state, decision, T0).Events.Aggregate(state, (s, e) => s.Apply(e));

    [Fact]
    public void Rungs_lie_at_min_steps_times_eta_to_the_k_below_max_steps()
    {
        Assert.Equal([10L, 30L], Asha.Rungs);
        Assert.Equal([1L, 3L, 9L, 27L], (Asha with { MinSteps = 1, MaxSteps = 81 }).Rungs);
    }

    [Fact]
    public void A_run_pauses_at_the_first_rung_above_its_checkpoint_and_completes_past_the_last()
    {
        var state = Sweep(3);
        Assert.Equal(10, SchedulerDecisions.Limits(state.Definition!, state.Runs["r1"])!.PauseAt);
        var at10 = state.Runs["r1"] with { Checkpoint = Checkpoint(10), Rungs = [new RungResult(0, 10, 0.5)] };
        Assert.Equal(30, SchedulerDecisions.Limits(state.Definition!, at10)!.PauseAt);
        var at30 = state.Runs["r1"] with { Checkpoint = Checkpoint(30), Rungs = [new RungResult(0, 10, 0.5), new RungResult(1, 30, 0.6)] };
        Assert.Null(SchedulerDecisions.Limits(state.Definition!, at30)); // trains on to its budget (90 = max_steps)

        var shorter = Sweep(1, Asha with { MaxSteps = 60 });
        Assert.Equal(60, SchedulerDecisions.Limits(shorter.Definition!, shorter.Runs["r1"] with { Checkpoint = Checkpoint(30) })!.FinishAt);
        var plain = Sweep(1, scheduler: null) with { };
        Assert.Null(SchedulerDecisions.Limits(plain.Definition! with { Scheduler = null }, plain.Runs["r1"]));
    }

    [Fact]
    public void A_paused_run_is_promoted_once_it_ranks_in_the_top_third_while_fresh_runs_wait()
    {
        var state = Sweep(9);
        state = PauseAt(state, "r1", 0.5);
        Assert.Equal(RunStatus.Paused, state.Runs["r1"].Status); // 1 result: ⌊1/3⌋ = 0 may go on
        state = PauseAt(state, "r2", 0.2);
        state = PauseAt(state, "r3", 0.9);
        // 3 results: the best (r3) goes on, to the front of the queue, ahead of fresh runs.
        Assert.Equal(RunStatus.Queued, state.Runs["r3"].Status);
        Assert.Equal("r3", state.Queue.First());
        Assert.Equal(RunStatus.Paused, state.Runs["r1"].Status);
        Assert.Equal(RunStatus.Paused, state.Runs["r2"].Status);
        Assert.Equal(30, SchedulerDecisions.Limits(state.Definition!, state.Runs["r3"])!.PauseAt);
        Assert.Equal(2, state.Counts.Paused);
    }

    [Fact]
    public void Once_no_fresh_run_is_left_the_best_paused_runs_go_on_and_the_rest_are_pruned_when_nothing_runs()
    {
        var state = Sweep(4);
        foreach (var (run, value) in new[] { ("r1", 0.1), ("r2", 0.4), ("r3", 0.3) }) state = PauseAt(state, run, value);
        Assert.Equal(RunStatus.Queued, state.Runs["r2"].Status); // ⌊3/3⌋ = 1
        state = PauseAt(state, "r4", 0.2);
        // r4 was the last fresh run: the quota is now ⌈4/3⌉ = 2, so r3 goes on too.
        Assert.Equal(RunStatus.Queued, state.Runs["r3"].Status);
        Assert.Equal(RunStatus.Paused, state.Runs["r1"].Status);

        // r2 and r3 reach rung 1 (30 steps); with nothing fresh the best of the two goes on.
        state = PauseAt(state, "r2", 0.8);
        state = PauseAt(state, "r3", 0.6);
        Assert.Equal(RunStatus.Queued, state.Runs["r2"].Status);
        Assert.Equal(RunStatus.Paused, state.Runs["r3"].Status);
        Assert.Equal(0, state.Counts.Running);

        // r2 trains to the end; then nothing runs or waits, and the paused runs are pruned, saying why.
        var last = SweepDecisions.Assign(state, "n1", 1, T0).Single();
        Assert.Null(last.Limits);
        state = state.Apply(last);
        state = Apply(state, SweepDecisions.OnReport(state, new RunCompletedReport("s", "r2", last.Attempt, "n1", 9, Report(0.9), Checkpoint(90)), T0));
        Assert.Equal(RunStatus.Completed, state.Runs["r2"].Status);
        Assert.Equal([RunStatus.Pruned, RunStatus.Pruned, RunStatus.Pruned], new[] { "r1", "r3", "r4" }.Select(r => state.Runs[r].Status));
        Assert.True(state.Finished);
        Assert.Equal("ref-r3-30", state.Runs["r3"].Checkpoint!.Reference); // kept for a promotion by hand
        var ladder = SchedulerDecisions.Ladder(state);
        Assert.Equal([(4, 2, 2), (2, 1, 1)], ladder.Select(r => (r.Reached, r.Promoted, r.Pruned)));
    }

    [Fact]
    public void A_loss_metric_ranks_the_lowest_first()
    {
        var state = Sweep(6, Asha with { Goal = new MetricGoal(MetricGoal.TrainLoss, Maximize: false) });
        // PauseAt reports loss = 1 - value: r2 has the lowest loss.
        foreach (var (run, value) in new[] { ("r1", 0.1), ("r2", 0.9), ("r3", 0.5) }) state = PauseAt(state, run, value);
        Assert.Equal(RunStatus.Queued, state.Runs["r2"].Status);
        Assert.Equal(RunStatus.Paused, state.Runs["r3"].Status);
    }

    [Fact]
    public void Stop_rules_end_the_sweep_once_enough_runs_reach_the_target_or_the_step_budget_is_spent()
    {
        var stop = new StopSpec(Exact, 0.95, RunsAtTarget: 1, TotalSteps: null);
        var state = Sweep(3, stop: stop) with { };
        var assigned = SweepDecisions.Assign(state, "n1", 1, T0).Single();
        Assert.Equal(0.95, assigned.Limits!.Target);
        state = state.Apply(assigned);
        var early = Report(0.97) with { Steps = 40 };
        var decision = SchedulerDecisions.WithSchedule(state, SweepDecisions.OnReport(state, new RunCompletedReport("s", "r1", 1, "n1", 1, early, new CheckpointInfo(40, "ref-40", new RunSummary(0.03, 0.97))), T0), T0);
        Assert.True(Assert.IsType<RunCompleted>(decision.Events[0]).AtTarget);
        Assert.Contains("stopped: 1 run(s) reached validation_exact_match 0.95", Assert.IsType<SweepCancelled>(decision.Events[1]).Reason);

        var budget = Sweep(3, scheduler: null, stop: new StopSpec(null, null, null, TotalSteps: 25)) with { };
        budget = budget with { Definition = budget.Definition! with { Scheduler = null } };
        var a = SweepDecisions.Assign(budget, "n1", 1, T0).Single();
        budget = budget.Apply(a);
        Assert.Empty(SchedulerDecisions.WithSchedule(budget, Decision.Of(new RunCheckpointed("s", "r1", 1, Checkpoint(20))), T0).Events.OfType<SweepCancelled>());
        budget = budget.Apply(new RunCheckpointed("s", "r1", 1, Checkpoint(20)));
        var spent = SchedulerDecisions.WithSchedule(budget, Decision.Of(new RunCheckpointed("s", "r1", 1, Checkpoint(30))), T0);
        Assert.Contains("30 training steps spent", Assert.IsType<SweepCancelled>(spent.Events.Last()).Reason);
    }

    [Fact]
    public void A_sweep_without_scheduler_or_stop_rules_decides_nothing_more()
    {
        var plain = Submitted();
        Assert.Empty(SchedulerDecisions.After(plain, T0));
        var decision = Decision.Of(new RunAssigned("s", "a", 1, "n1", null, T0));
        Assert.Same(decision, SchedulerDecisions.WithSchedule(plain, decision, T0));
        Assert.Null(SweepDecisions.Assign(plain, "n1", 1, T0).Single().Limits);
    }

    [Fact]
    public void Counts_folded_from_scheduler_events_equal_the_state_event_by_event()
    {
        var state = Sweep(4);
        var events = new List<ISweepEvent>();
        foreach (var (run, value) in new[] { ("r1", 0.1), ("r2", 0.4), ("r3", 0.3), ("r4", 0.2) })
        {
            var assigned = SweepDecisions.Assign(state with { Queue = RunQueue.Of([run]) }, "n1", 1, T0).Single();
            var paused = new CheckpointInfo(10, "ref", new RunSummary(null, value));
            var decision = SchedulerDecisions.WithSchedule(state.Apply(assigned),
                SweepDecisions.OnReport(state.Apply(assigned), new RunPausedReport("s", run, 1, "n1", 1, paused), T0), T0);
            events.Add(assigned);
            events.AddRange(decision.Events);
            state = decision.Events.Aggregate(state.Apply(assigned), (s, e) => s.Apply(e));
        }
        events.Add(new SweepCancelled("s", "user", T0));
        state = state.Apply(events[^1]);
        Assert.Contains(events, e => e is RunPromoted);
        var counts = events.Aggregate(SweepCounts.Of(Sweep(4)), (c, e) => c.Apply(e));
        // Counts folded without the runs know no times; the state's summary adds them.
        Assert.Equal(state.Summary().CountsOnly(), counts.Summary());
        Assert.Equal((T0, T0), (state.Summary().StartedAt, state.Summary().FinishedAt));
        Assert.Equal(0, state.Counts.Paused); // cancelling cancels paused runs too
    }

    [Fact]
    public void The_median_rule_prunes_a_running_run_whose_best_is_below_the_median_of_the_others_at_its_step()
    {
        var median = new MedianScheduler(Exact, GraceSteps: 20, MinRuns: 3);
        var state = Sweep(5, median);
        foreach (var id in new[] { "r1", "r2", "r3", "r4", "r5" }) state = state.Apply(new RunAssigned("s", id, 1, "n1", null, T0));
        SweepState Checkpointed(SweepState s, string run, long step, double value) =>
            Apply(s, Decision.Of(new RunCheckpointed("s", run, 1, new CheckpointInfo(step, "ref", new RunSummary(null, value)))));

        foreach (var (run, value) in new[] { ("r1", 0.5), ("r2", 0.6), ("r3", 0.7) }) state = Checkpointed(state, run, 10, value);
        state = Checkpointed(state, "r4", 10, 0.1); // worst, but within the grace steps
        Assert.Equal(RunStatus.Running, state.Runs["r4"].Status);
        foreach (var (run, value) in new[] { ("r1", 0.7), ("r2", 0.7) }) state = Checkpointed(state, run, 20, value);
        state = Checkpointed(state, "r5", 20, 0.1); // worse, but only 2 others at step 20: fewer than min_runs
        Assert.Equal(RunStatus.Running, state.Runs["r5"].Status);
        state = Checkpointed(state, "r3", 20, 0.7);  // a run is judged at its own checkpoint only: r5 is not judged again here
        Assert.Equal(RunStatus.Running, state.Runs["r5"].Status);
        state = Checkpointed(state, "r4", 20, 0.2);  // r4's best (0.2) is below the median (0.7) of the 4 others at step 20
        Assert.Equal(RunStatus.Pruned, state.Runs["r4"].Status);
        Assert.Equal(1, state.Counts.Pruned); // the others equal the median: not worse
        Assert.Equal(20, state.Runs["r4"].Checkpoint!.Step); // kept for a promotion by hand
        // Promoted by hand, it is assigned again without being judged again until its next checkpoint.
        state = Apply(state, SweepDecisions.Promote(state, "r4"));
        var again = SweepDecisions.Assign(state, "n1", 1, T0).Single();
        Assert.Empty(SchedulerDecisions.WithSchedule(state, Decision.Of(again), T0).Events.OfType<RunPruned>());
    }

    [Fact]
    public void A_run_handed_back_exactly_at_a_rung_pauses_there_on_resume_instead_of_skipping_it()
    {
        var state = Sweep(3);
        var atRung = state.Runs["r1"] with { Checkpoint = Checkpoint(10) }; // checkpointed at step 10, released before it paused
        Assert.Equal(10, SchedulerDecisions.Limits(state.Definition!, atRung)!.PauseAt);
        var ranked = atRung with { Rungs = [new RungResult(0, 10, 0.5)] }; // paused and ranked there, then promoted
        Assert.Equal(30, SchedulerDecisions.Limits(state.Definition!, ranked)!.PauseAt);
    }

    [Fact]
    public void A_run_that_failed_for_good_takes_no_promotion_from_the_runs_behind_it()
    {
        var state = Sweep(3);
        foreach (var (run, value) in new[] { ("r1", 0.9), ("r2", 0.5), ("r3", 0.4) }) state = PauseAt(state, run, value);
        Assert.Equal(RunStatus.Queued, state.Runs["r1"].Status); // no fresh runs left: ⌈3/3⌉ = 1
        var again = SweepDecisions.Assign(state, "n1", 1, T0).Single();
        state = state.Apply(again);
        state = Apply(state, SweepDecisions.OnReport(state, new RunFailedReport("s", "r1", again.Attempt, "n1", 5, "diverged"), T0)); // retries 1: requeued
        var last = SweepDecisions.Assign(state, "n1", 1, T0).Single();
        state = state.Apply(last);
        state = Apply(state, SweepDecisions.OnReport(state, new RunFailedReport("s", "r1", last.Attempt, "n1", 6, "diverged"), T0)); // for good
        Assert.Equal(RunStatus.Failed, state.Runs["r1"].Status);
        Assert.Equal(RunStatus.Queued, state.Runs["r2"].Status); // the next best goes on instead of everyone being pruned
        Assert.Equal(RunStatus.Paused, state.Runs["r3"].Status);
    }

    [Fact]
    public void A_diverged_runs_NaN_ranks_worst_and_a_target_reached_on_the_last_step_counts()
    {
        Assert.Null(new MetricGoal(MetricGoal.TrainLoss, false).Read(new RunSummary(double.NaN, null)));
        Assert.Null(Exact.Read(new RunSummary(null, double.PositiveInfinity)));
        var definition = Sweep(1, stop: new StopSpec(Exact, 0.9, 1, null)).Definition!;
        Assert.True(SchedulerDecisions.ReachedTarget(definition, new CheckpointInfo(90, "ref", new RunSummary(0.1, 0.95))));
        Assert.False(SchedulerDecisions.ReachedTarget(definition, new CheckpointInfo(90, "ref", new RunSummary(0.1, 0.85))));
    }

    [Fact]
    public void Hyperband_brackets_start_their_runs_at_different_rungs_and_rank_them_apart()
    {
        var hyperband = Asha with { MinSteps = 1, MaxSteps = 81, Brackets = 3 }; // rungs 1, 3, 9, 27
        var state = Sweep(30, hyperband);
        var byBracket = state.Runs.Values.GroupBy(r => SchedulerDecisions.Bracket(hyperband, r.Spec.RunId)).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal([0, 1, 2], byBracket.Keys.Order());               // every bracket gets runs
        Assert.All(byBracket, b => Assert.Equal(hyperband.Rungs[b.Key], SchedulerDecisions.Limits(state.Definition!, b.Value[0])!.PauseAt));
        Assert.Equal(SchedulerDecisions.Bracket(hyperband, "r7"), SchedulerDecisions.Bracket(hyperband, "r7")); // stable
        // Results are ranked within a bracket: the ladder has a row per bracket and rung, from the bracket's first rung.
        var ladder = SchedulerDecisions.Ladder(PauseAt(state, byBracket[2][0].Spec.RunId, 0.5));
        Assert.Equal([(0, 0), (0, 1), (0, 2), (0, 3), (1, 1), (1, 2), (1, 3), (2, 2), (2, 3)], ladder.Select(r => (r.Bracket, r.Rung)));
        Assert.Equal(1, ladder.Single(r => r is { Bracket: 2, Rung: 2 }).Reached);
    }
}
