using ActorSweep.Messages.Runs;
using ActorSweep.Messages;
using ActorSweep.Messages.Sweeps;
using static ActorSweep.Tests.Sweeps.SweepFixtures;

namespace ActorSweep.Tests.Sweeps;

/// <summary>SweepState.Apply: every event's effect, without actors.</summary>
public sealed class SweepStateTests
{
    /// <summary>A run's curve: a point per accepted checkpoint, surviving a requeue (the resumed attempt goes on from the last one), and a PBT adoption drops what it abandons.</summary>
    [Fact]
    public void A_runs_history_gains_a_point_per_checkpoint_and_an_adoption_cuts_it_back()
    {
        static CheckpointInfo At(long step) => new(step, $"ref-{step}", new RunSummary(1.0 / step, step / 100.0, 2.0 / step));
        var state = Submitted().Apply(new RunAssigned("s", "b", 1, "n1", null, T0));
        foreach (long step in new long[] { 10, 20, 30 }) state = state.Apply(new RunCheckpointed("s", "b", 1, At(step)));
        state = state.Apply(new RunRequeued("s", "b", 1, "node left")).Apply(new RunAssigned("s", "b", 2, "n2", At(30), T0));
        state = state.Apply(new RunCheckpointed("s", "b", 2, At(40)));
        Assert.Equal([10L, 20, 30, 40], state.Runs["b"].History!.Select(p => p.Step));
        Assert.Equal(new HistoryPoint(20, 0.05, 0.2, 0.1), state.Runs["b"].History![1]);

        var adopted = state.Apply(new RunExploited("s", "b", "a", At(25), At(25), state.Runs["b"].Spec, state.Runs["b"].Spec.Options, state.Runs["b"].Spec.Options, T0));
        Assert.Equal([10L, 20], adopted.Runs["b"].History!.Select(p => p.Step));
        Assert.Equal([10L, 20, 30], adopted.Apply(new RunCheckpointed("s", "b", 2, At(30))).Runs["b"].History!.Select(p => p.Step));

        // A checkpoint without any metric adds no point (and a run that never has one keeps no list).
        var quiet = state.Apply(new RunCheckpointed("s", "b", 2, new CheckpointInfo(50, "ref-50", new RunSummary(null, null))));
        Assert.Equal([10L, 20, 30, 40], quiet.Runs["b"].History!.Select(p => p.Step));
        var a = Submitted().Apply(new RunAssigned("s", "a", 1, "n1", null, T0)).Apply(new RunCheckpointed("s", "a", 1, new CheckpointInfo(5, "r", new RunSummary(null, null))));
        Assert.Null(a.Runs["a"].History);
    }

    [Fact]
    public void Submitting_creates_queued_runs_in_file_order()
    {
        var state = Submitted();
        Assert.Equal(["a", "b", "c"], state.Queue);
        Assert.All(state.Runs.Values, r => Assert.Equal((RunStatus.Queued, 0), (r.Status, r.Attempt)));
        Assert.Equal(2, state.EventCount);
        Assert.False(state.Finished);
        Assert.Equal(new SweepSummary("s", "noop", 3, 3, 0, 0, 0, false, false) { StartedAt = T0 }, state.Summary());
    }

    [Fact]
    public void Assignment_runs_the_attempt_on_the_node_and_leaves_the_queue()
    {
        var state = Submitted().Apply(new RunAssigned("s", "b", 1, "n1", null, T0));
        var b = state.Runs["b"];
        Assert.Equal((RunStatus.Running, 1, "n1", T0), (b.Status, b.Attempt, b.NodeId, b.StartedAt));
        Assert.Equal(["a", "c"], state.Queue);
        Assert.Single(state.RunningOn("n1"));
    }

    [Fact]
    public void Checkpoint_then_completion_records_the_result()
    {
        var state = Submitted()
            .Apply(new RunAssigned("s", "a", 1, "n1", null, T0))
            .Apply(new RunCheckpointed("s", "a", 1, Checkpoint(5)))
            .Apply(new RunCompleted("s", "a", 1, Report(0.9), T0.AddMinutes(1)));
        var a = state.Runs["a"];
        Assert.Equal(RunStatus.Completed, a.Status);
        Assert.Equal(5, a.Checkpoint!.Step);
        Assert.Equal(0.9, a.Report!.ExactMatch);
        Assert.Equal(T0.AddMinutes(1), a.FinishedAt);
        Assert.True(a.IsFinished);
    }

    [Fact]
    public void A_requeued_run_goes_to_the_front_and_keeps_its_checkpoint()
    {
        var state = Submitted()
            .Apply(new RunAssigned("s", "c", 1, "n1", null, T0))
            .Apply(new RunCheckpointed("s", "c", 1, Checkpoint(7)))
            .Apply(new RunFailed("s", "c", 1, "boom", false, T0))
            .Apply(new RunRequeued("s", "c", 1, "retry"));
        var c = state.Runs["c"];
        Assert.Equal(["c", "a", "b"], state.Queue);
        Assert.Equal((RunStatus.Queued, 1, 1, "boom", 7L), (c.Status, c.Attempt, c.Failures, c.LastError, c.Checkpoint!.Step));
        Assert.Null(c.NodeId);
    }

    [Fact]
    public void A_final_failure_finishes_the_run()
    {
        var state = Submitted().Apply(new RunAssigned("s", "a", 1, "n1", null, T0)).Apply(new RunFailed("s", "a", 1, "boom", true, T0));
        Assert.Equal(RunStatus.Failed, state.Runs["a"].Status);
        Assert.Equal(1, state.Summary().Failed);
    }

    [Fact]
    public void Cancelling_cancels_queued_runs_and_later_releases()
    {
        var state = Submitted()
            .Apply(new RunAssigned("s", "a", 1, "n1", null, T0))
            .Apply(new SweepCancelled("s", "user", T0));
        Assert.Empty(state.Queue);
        Assert.Equal(RunStatus.Running, state.Runs["a"].Status);
        Assert.Equal(RunStatus.Cancelled, state.Runs["b"].Status);
        state = state.Apply(new RunRequeued("s", "a", 1, "released"));
        Assert.Equal(RunStatus.Cancelled, state.Runs["a"].Status);
        Assert.True(state.Finished);
    }

    [Fact]
    public void The_sweep_finishes_when_every_run_has()
    {
        var state = Submitted();
        foreach (var id in new[] { "a", "b", "c" })
            state = state.Apply(new RunAssigned("s", id, 1, "n1", null, T0)).Apply(new RunCompleted("s", id, 1, Report(), T0));
        Assert.True(state.Finished);
        Assert.Equal(8, state.EventCount);
    }

    [Fact]
    public void Events_for_another_sweep_or_an_unknown_run_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Submitted().Apply(new RunsQueued("other", [])));
        Assert.Throws<ArgumentException>(() => Submitted().Apply(new RunAssigned("s", "zzz", 1, "n1", null, T0)));
    }

    [Fact]
    public void Counts_kept_by_apply_always_equal_a_fresh_count()
    {
        var state = Submitted();
        ISweepEvent[] events =
        [
            new RunAssigned("s", "a", 1, "n1", null, T0), new RunAssigned("s", "b", 1, "n1", null, T0),
            new RunFailed("s", "a", 1, "x", false, T0), new RunRequeued("s", "a", 1, "retry"),
            new RunCompleted("s", "b", 1, Report(), T0), new RunAssigned("s", "a", 2, "n2", null, T0),
            new RunPaused("s", "a", 2, Checkpoint(10), 0, 0.5, T0), new RunPromoted("s", "a", 0, "top"), new RunAssigned("s", "a", 3, "n2", Checkpoint(10), T0),
            new RunPaused("s", "a", 3, Checkpoint(30), 1, 0.6, T0), new RunPruned("s", "a", "not in the top", T0), new RunPromoted("s", "a", 1, "by hand", RunStatus.Pruned),
            new RunAssigned("s", "c", 1, "n1", null, T0), new RunPaused("s", "c", 1, Checkpoint(10), 0, 0.2, T0),
            new SweepCancelled("s", "user", T0), new RunRequeued("s", "a", 2, "released"),
        ];
        foreach (var e in events)
        {
            state = state.Apply(e);
            foreach (RunStatus status in Enum.GetValues<RunStatus>())
                Assert.Equal(state.Runs.Values.Count(r => r.Status == status), status switch
                {
                    RunStatus.Queued => state.Counts.Queued,
                    RunStatus.Running => state.Counts.Running,
                    RunStatus.Completed => state.Counts.Completed,
                    RunStatus.Failed => state.Counts.Failed,
                    RunStatus.Paused => state.Counts.Paused,
                    RunStatus.Pruned => state.Counts.Pruned,
                    _ => state.Counts.Cancelled,
                });
        }
        Assert.True(state.Finished);
    }

    [Fact]
    public void Apply_does_not_change_the_state_it_is_called_on()
    {
        var before = Submitted();
        var queue = before.Queue;
        before.Apply(new RunAssigned("s", "a", 1, "n1", null, T0));
        Assert.Same(queue, before.Queue);
        Assert.Equal(RunStatus.Queued, before.Runs["a"].Status);
    }
}
