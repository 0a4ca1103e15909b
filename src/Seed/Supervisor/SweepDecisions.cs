using System.Collections.Immutable;
using ActorSweep.Messages;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Messages.Work;

namespace ActorSweep.Seed.Supervisor;

/// <summary>What a command does to a sweep: the events to persist, or why it changes nothing.</summary>
public sealed record Decision(ImmutableList<ISweepEvent> Events, string? Ignored = null)
{
    public static Decision Nothing(string why) => new([], why);
    public static Decision Of(params ISweepEvent[] events) => new(events.ToImmutableList());
}

/// <summary>
/// The sweep actor's decisions as pure functions of (state, command): which events a command
/// produces. Attempt numbers fence stale workers: a report counts only from the attempt that
/// is running now, on the node it was assigned to.
/// </summary>
public static class SweepDecisions
{
    public static Decision Submit(SweepState state, SweepDefinition definition, DateTimeOffset now) =>
        state.Definition is not null
            ? Decision.Nothing(state.Definition.Hash == definition.Hash ? "already submitted" : "a different sweep of that name exists")
            : Decision.Of(new SweepSubmitted(definition.SweepId, definition, now),
                          new RunsQueued(definition.SweepId, definition.Runs.Select(r => r.RunId).ToImmutableList()));

    /// <summary>Hands the first <paramref name="slots"/> queued runs to a node, each as its next attempt,
    /// resuming from the run's last checkpoint, within the limits its scheduler and stop rules set.
    /// A node with a model bound (<paramref name="maxParameters"/>) gets only runs that fit it; the others wait for a larger node.</summary>
    public static ImmutableList<RunAssigned> Assign(SweepState state, string nodeId, int slots, DateTimeOffset now, long? maxParameters = null) =>
        state.Cancelled
            ? []
            : state.Queue.Where(id => maxParameters is null || (state.Runs[id].Spec.Definition.ParameterCount ?? 0) <= maxParameters)
                .Take(Math.Max(0, slots))
                .Select(id => new RunAssigned(state.SweepId, id, state.Runs[id].Attempt + 1, nodeId, state.Runs[id].Checkpoint, now,
                                              SchedulerDecisions.Limits(state.Definition!, state.Runs[id])))
                .ToImmutableList();

    public static Decision OnReport(SweepState state, IRunReport report, DateTimeOffset now)
    {
        if (!state.Runs.TryGetValue(report.RunId, out var run))
            return Decision.Nothing($"report for unknown run '{report.RunId}'");
        if (!run.IsCurrent(report.Attempt, report.NodeId))
            return Decision.Nothing($"stale report from attempt {report.Attempt} on {report.NodeId}; run '{run.Spec.RunId}' is {run.Status} at attempt {run.Attempt}");

        string sweep = state.SweepId, id = run.Spec.RunId;
        int attempt = report.Attempt;
        switch (report)
        {
            case RunCheckpointReport c:
                return run.Checkpoint is { } last && last.Step >= c.Checkpoint.Step
                    ? Decision.Nothing($"checkpoint at step {c.Checkpoint.Step} is not newer than step {last.Step}")
                    : Decision.Of(new RunCheckpointed(sweep, id, attempt, c.Checkpoint));
            case RunCompletedReport c:
                return Decision.Of(new RunCompleted(sweep, id, attempt, c.Report, now, c.Checkpoint, SchedulerDecisions.ReachedTarget(state.Definition!, c.Checkpoint)));
            case RunPausedReport p:
                int rung = SchedulerDecisions.RungAt(state.Definition!, p.Checkpoint.Step);
                if (rung < 0) // not a rung of this sweep's scheduler: keep the progress and queue it like a release
                    return Decision.Of(new RunCheckpointed(sweep, id, attempt, p.Checkpoint),
                                       new RunRequeued(sweep, id, attempt, $"paused at step {p.Checkpoint.Step}, which is no rung"));
                var goal = state.Definition!.Scheduler!.Goal;
                return Decision.Of(new RunPaused(sweep, id, attempt, p.Checkpoint, rung, goal.Read(p.Checkpoint.Summary), now));
            case RunFailedReport f:
                bool final = run.Failures + 1 > state.Definition!.RetryLimit;
                return final
                    ? Decision.Of(new RunFailed(sweep, id, attempt, f.Error, true, now))
                    : Decision.Of(new RunFailed(sweep, id, attempt, f.Error, false, now),
                                  new RunRequeued(sweep, id, attempt, $"attempt {attempt} failed; retry {run.Failures + 1} of {state.Definition.RetryLimit}"));
            case RunReleasedReport r:
                var events = new List<ISweepEvent>();
                if (r.Checkpoint is { } cp && (run.Checkpoint is null || cp.Step > run.Checkpoint.Step))
                    events.Add(new RunCheckpointed(sweep, id, attempt, cp));
                events.Add(new RunRequeued(sweep, id, attempt, $"released by {report.NodeId}"));
                return new Decision(events.ToImmutableList());
            default:
                return Decision.Nothing($"unknown report {report.GetType().Name}");
        }
    }

    /// <summary>Requeues every running run whose node is no longer alive; they resume from their last checkpoint.</summary>
    public static Decision OnNodesLost(SweepState state, Func<string, bool> isAlive) =>
        new(state.Runs.Values
            .Where(r => r.Status == RunStatus.Running && !isAlive(r.NodeId!))
            .OrderBy(r => r.Spec.RunId, StringComparer.Ordinal)
            .Select(r => (ISweepEvent)new RunRequeued(state.SweepId, r.Spec.RunId, r.Attempt, $"node {r.NodeId} left the cluster"))
            .ToImmutableList());

    /// <summary>
    /// Requeues the named runs that are still running: their node sent no word within the sweep's
    /// lease (a hung worker). Its late reports are fenced off by the attempt number.
    /// </summary>
    public static Decision OnLeaseExpired(SweepState state, IEnumerable<string> runIds, TimeSpan silence) =>
        new(runIds
            .Where(id => state.Runs.TryGetValue(id, out var r) && r.Status == RunStatus.Running)
            .Order(StringComparer.Ordinal)
            .Select(id => (ISweepEvent)new RunRequeued(state.SweepId, id, state.Runs[id].Attempt,
                $"lease expired: no word from node {state.Runs[id].NodeId} for {silence.TotalSeconds:F0} s"))
            .ToImmutableList());

    /// <summary>A user's promotion: a paused or pruned run (its checkpoint kept) goes back to the queue.</summary>
    public static Decision Promote(SweepState state, string runId)
    {
        if (!state.Runs.TryGetValue(runId, out var run))
            return Decision.Nothing($"sweep '{state.SweepId}' has no run '{runId}'");
        if (state.Cancelled) return Decision.Nothing($"sweep '{state.SweepId}' was cancelled");
        if (run.Status is not (RunStatus.Paused or RunStatus.Pruned))
            return Decision.Nothing($"run '{runId}' is {run.Status.ToString().ToLowerInvariant()}; only a paused or pruned run can be promoted");
        if (run.Checkpoint is null) return Decision.Nothing($"run '{runId}' has no checkpoint to resume from");
        return Decision.Of(new RunPromoted(state.SweepId, runId, run.Rung, "promoted by hand", run.Status));
    }

    public static Decision Cancel(SweepState state, string reason, DateTimeOffset now) =>
        state.Cancelled || state.Finished
            ? Decision.Nothing(state.Cancelled ? "already cancelled" : "already finished")
            : Decision.Of(new SweepCancelled(state.SweepId, reason, now));
}
