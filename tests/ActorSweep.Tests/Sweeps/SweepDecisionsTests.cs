using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Supervisor;
using static ActorSweep.Tests.Sweeps.SweepFixtures;

namespace ActorSweep.Tests.Sweeps;

/// <summary>SweepDecisions: which events each command produces, and attempt fencing.</summary>
public sealed class SweepDecisionsTests
{
    static SweepState Running(string run = "a", int attempt = 1, string node = "n1") =>
        Submitted().Apply(new RunAssigned("s", run, attempt, node, null, T0));

    [Fact]
    public void Submitting_twice_is_idempotent_for_the_same_contents_only()
    {
        var empty = SweepState.Empty("s");
        Assert.Equal(2, SweepDecisions.Submit(empty, Definition(), T0).Events.Count);
        var submitted = Submitted();
        Assert.Equal("already submitted", SweepDecisions.Submit(submitted, Definition(), T0).Ignored);
        var different = Definition() with { Hash = "hash2" };
        Assert.Equal("a different sweep of that name exists", SweepDecisions.Submit(submitted, different, T0).Ignored);
    }

    [Fact]
    public void Assignment_takes_queued_runs_in_order_as_their_next_attempt_from_their_checkpoint()
    {
        var state = Submitted()
            .Apply(new RunAssigned("s", "b", 1, "n1", null, T0))
            .Apply(new RunCheckpointed("s", "b", 1, Checkpoint(30)))
            .Apply(new RunRequeued("s", "b", 1, "node left"));
        var assigned = SweepDecisions.Assign(state, "n2", 2, T0);
        Assert.Equal(["b", "a"], assigned.Select(a => a.RunId));
        Assert.Equal(2, assigned[0].Attempt);
        Assert.Equal(30, assigned[0].ResumeFrom!.Step);
        Assert.Equal(1, assigned[1].Attempt);
        Assert.Null(assigned[1].ResumeFrom);
        Assert.All(assigned, a => Assert.Equal("n2", a.NodeId));
        Assert.Empty(SweepDecisions.Assign(state, "n2", 0, T0));
    }

    [Fact]
    public void Reports_from_a_stale_attempt_or_another_node_are_ignored()
    {
        var state = Running(attempt: 2, node: "n2");
        Assert.Contains("stale report from attempt 1", SweepDecisions.OnReport(state, Completed("a", 1, "n1"), T0).Ignored);
        Assert.Contains("stale report", SweepDecisions.OnReport(state, Completed("a", 2, "n1"), T0).Ignored);
        Assert.Contains("stale report", SweepDecisions.OnReport(state, CheckpointReport("b", 1, "n2", 5), T0).Ignored); // b is queued
        Assert.Contains("unknown run", SweepDecisions.OnReport(state, Completed("zzz", 2, "n2"), T0).Ignored);
        Assert.IsType<RunCompleted>(Assert.Single(SweepDecisions.OnReport(state, Completed("a", 2, "n2"), T0).Events));
    }

    [Fact]
    public void A_repeated_completion_report_changes_nothing()
    {
        var state = Running();
        var first = SweepDecisions.OnReport(state, Completed("a", 1, "n1"), T0);
        state = first.Events.Aggregate(state, (s, e) => s.Apply(e));
        var again = SweepDecisions.OnReport(state, Completed("a", 1, "n1"), T0);
        Assert.Empty(again.Events);
        Assert.NotNull(again.Ignored);
    }

    [Fact]
    public void Only_newer_checkpoints_are_recorded()
    {
        var state = Running().Apply(new RunCheckpointed("s", "a", 1, Checkpoint(20)));
        Assert.Empty(SweepDecisions.OnReport(state, CheckpointReport("a", 1, "n1", 20), T0).Events);
        Assert.Empty(SweepDecisions.OnReport(state, CheckpointReport("a", 1, "n1", 10), T0).Events);
        Assert.Single(SweepDecisions.OnReport(state, CheckpointReport("a", 1, "n1", 30), T0).Events);
    }

    [Fact]
    public void Failures_are_retried_until_the_limit_then_final()
    {
        var state = Running(); // retry limit 1
        var first = SweepDecisions.OnReport(state, Failed("a", 1, "n1"), T0);
        Assert.Collection(first.Events,
            e => Assert.False(Assert.IsType<RunFailed>(e).Final),
            e => Assert.IsType<RunRequeued>(e));
        state = first.Events.Aggregate(state, (s, e) => s.Apply(e)).Apply(new RunAssigned("s", "a", 2, "n1", null, T0));
        var second = SweepDecisions.OnReport(state, Failed("a", 2, "n1"), T0);
        Assert.True(Assert.IsType<RunFailed>(Assert.Single(second.Events)).Final);
    }

    [Fact]
    public void A_released_run_keeps_its_new_checkpoint_and_is_requeued()
    {
        var decision = SweepDecisions.OnReport(Running(), Released("a", 1, "n1", 12), T0);
        Assert.Collection(decision.Events,
            e => Assert.Equal(12, Assert.IsType<RunCheckpointed>(e).Checkpoint.Step),
            e => Assert.IsType<RunRequeued>(e));
    }

    [Fact]
    public void Losing_a_node_requeues_exactly_its_runs()
    {
        var state = Submitted()
            .Apply(new RunAssigned("s", "a", 1, "dead", null, T0))
            .Apply(new RunAssigned("s", "b", 1, "alive", null, T0));
        var decision = SweepDecisions.OnNodesLost(state, node => node == "alive");
        var requeued = Assert.IsType<RunRequeued>(Assert.Single(decision.Events));
        Assert.Equal(("a", 1), (requeued.RunId, requeued.Attempt));
        Assert.Contains("dead", requeued.Reason);
        Assert.Empty(SweepDecisions.OnNodesLost(state, _ => true).Events);
    }

    [Fact]
    public void Cancelling_is_refused_once_cancelled_or_finished()
    {
        var state = Submitted();
        var cancel = SweepDecisions.Cancel(state, "user", T0);
        Assert.IsType<SweepCancelled>(Assert.Single(cancel.Events));
        var cancelled = state.Apply(cancel.Events[0]);
        Assert.Equal("already cancelled", SweepDecisions.Cancel(cancelled, "again", T0).Ignored);
        Assert.Empty(SweepDecisions.Assign(cancelled, "n1", 3, T0));
    }

    [Fact]
    public void An_expired_lease_requeues_only_runs_that_are_still_running_naming_the_silent_node()
    {
        var state = Running("a", attempt: 2, node: "n7").Apply(new RunAssigned("s", "b", 1, "n1", null, T0))
            .Apply(new RunCompleted("s", "b", 1, Report(), T0));
        var decision = SweepDecisions.OnLeaseExpired(state, ["a", "b", "missing"], TimeSpan.FromSeconds(300));
        var requeued = Assert.IsType<RunRequeued>(Assert.Single(decision.Events));
        Assert.Equal(("a", 2), (requeued.RunId, requeued.Attempt));
        Assert.Equal("lease expired: no word from node n7 for 300 s", requeued.Reason);
        var after = state.Apply(requeued);
        Assert.Equal(RunStatus.Queued, after.Runs["a"].Status);
        Assert.Empty(SweepDecisions.OnLeaseExpired(after, ["a"], TimeSpan.FromSeconds(300)).Events); // already back in the queue
        Assert.True(SweepDecisions.OnReport(after, CheckpointReport("a", 2, "n7", 50), T0).Ignored is not null); // its late reports are fenced off
    }

    [Fact]
    public void A_node_with_a_model_bound_gets_only_the_queued_runs_that_fit_it()
    {
        var definition = ActorSweep.Seed.Sweeps.SweepFile.Parse("name: s\ntask: addition\nruns:\n  - { name: big, d_model: 64, d_ff: 256 }\n  - { name: small, d_model: 8, d_ff: 16 }\n", "s.yaml");
        var state = SweepDecisions.Submit(SweepState.Empty("s"), definition, T0).Events.Aggregate(SweepState.Empty("s"), (s, e) => s.Apply(e));
        long small = definition.Runs[1].Definition.ParameterCount!.Value, big = definition.Runs[0].Definition.ParameterCount!.Value;
        Assert.True(small < big);
        Assert.Equal(["small@s42"], SweepDecisions.Assign(state, "n1", 2, T0, maxParameters: small).Select(a => a.RunId)); // the big one waits, in place
        Assert.Equal(["big@s42", "small@s42"], SweepDecisions.Assign(state, "n1", 2, T0, maxParameters: big).Select(a => a.RunId));
        Assert.Empty(SweepDecisions.Assign(state, "n1", 2, T0, maxParameters: small - 1));
    }
}
