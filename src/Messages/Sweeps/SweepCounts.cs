namespace ActorSweep.Messages.Sweeps;

/// <summary>
/// A sweep's run counts alone, folded from its events without its runs: what `status` needs for
/// every sweep of a large journal. Each event moves a run between fixed statuses (assigned: queued
/// to running; completed: running to completed; a final failure: running to failed; requeued:
/// running to queued, or to cancelled once the sweep is; cancelled: every queued run), the moves
/// <see cref="SweepState.Apply"/> makes; a test holds the two equal event by event. Only the
/// submission and failures need their contents read (<paramref name="load"/> in <see cref="Apply"/>).
/// </summary>
public sealed record SweepCounts(string SweepId, string? Task, RunCounts Counts, bool Cancelled, long EventCount)
{
    public static SweepCounts Empty(string sweepId) => new(sweepId, null, RunCounts.None, false, 0);

    public static SweepCounts Of(SweepState state) => new(state.SweepId, state.Definition?.Task, state.Counts, state.Cancelled, state.EventCount);

    public SweepCounts Apply(ISweepEvent e) => Apply(e.GetType(), () => e);

    /// <summary>Folds an event known by its type; <paramref name="load"/> is called only when the type alone does not say enough.</summary>
    public SweepCounts Apply(Type eventType, Func<ISweepEvent> load)
    {
        var next = eventType switch
        {
            _ when eventType == typeof(SweepSubmitted) => load() is SweepSubmitted s
                ? this with { Task = s.Definition.Task, Counts = RunCounts.None.Add(RunStatus.Queued, s.Definition.Runs.Count) }
                : this,
            _ when eventType == typeof(RunAssigned) => this with { Counts = Counts.Move(RunStatus.Queued, RunStatus.Running) },
            _ when eventType == typeof(RunCompleted) => this with { Counts = Counts.Move(RunStatus.Running, RunStatus.Completed) },
            _ when eventType == typeof(RunFailed) => load() is RunFailed { Final: true } ? this with { Counts = Counts.Move(RunStatus.Running, RunStatus.Failed) } : this,
            _ when eventType == typeof(RunRequeued) => this with { Counts = Counts.Move(RunStatus.Running, Cancelled ? RunStatus.Cancelled : RunStatus.Queued) },
            _ when eventType == typeof(RunPaused) => this with { Counts = Counts.Move(RunStatus.Running, Cancelled ? RunStatus.Cancelled : RunStatus.Paused) },
            _ when eventType == typeof(RunPromoted) => load() is RunPromoted p ? this with { Counts = Counts.Move(p.From, RunStatus.Queued) } : this,
            _ when eventType == typeof(RunPruned) => load() is RunPruned p ? this with { Counts = Counts.Move(p.From, RunStatus.Pruned) } : this,
            _ when eventType == typeof(SweepCancelled) => this with
            {
                Cancelled = true,
                Counts = Counts.Add(RunStatus.Queued, -Counts.Queued).Add(RunStatus.Paused, -Counts.Paused).Add(RunStatus.Cancelled, Counts.Queued + Counts.Paused),
            },
            _ => this, // RunsQueued, RunCheckpointed: no run changes status
        };
        return next with { EventCount = EventCount + 1 };
    }

    int Runs => Counts.Queued + Counts.Running + Counts.Paused + Counts.Finished;

    public SweepSummary Summary() =>
        new(SweepId, Task ?? "", Runs, Counts.Queued, Counts.Running, Counts.Completed, Counts.Failed, Cancelled, Task is not null && Counts.Finished == Runs)
        {
            Paused = Counts.Paused, Pruned = Counts.Pruned,
        };
}
