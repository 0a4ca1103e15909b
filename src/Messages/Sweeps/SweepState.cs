using System.Collections.Immutable;
using ActorSweep.Messages.Results;
using ActorSweep.Messages.Runs;

namespace ActorSweep.Messages.Sweeps;

/// <summary>Where a run stands. Paused: a scheduler holds it at a rung, checkpointed; Pruned: a scheduler stopped it for good.</summary>
public enum RunStatus { Queued, Running, Completed, Failed, Cancelled, Paused, Pruned }

/// <summary>
/// Where one run stands: its current attempt and node, last checkpoint, failures and result; under a
/// scheduler, its result at each rung it reached (<see cref="Rungs"/>) and whether it stopped at the sweep's target.
/// </summary>
public sealed record RunState(
    RunSpec Spec,
    RunStatus Status,
    int Attempt,
    string? NodeId,
    CheckpointInfo? Checkpoint,
    int Failures,
    string? LastError,
    RunReport? Report,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    ImmutableList<RungResult>? Rungs = null,
    bool AtTarget = false,
    ImmutableList<HistoryPoint>? History = null)
{
    public static RunState New(RunSpec spec) => new(spec, RunStatus.Queued, 0, null, null, 0, null, null, null, null);

    public bool IsFinished => Status is RunStatus.Completed or RunStatus.Failed or RunStatus.Cancelled or RunStatus.Pruned;

    /// <summary>The highest rung the run reached, or -1.</summary>
    public int Rung => Rungs is { Count: > 0 } r ? r[^1].Rung : -1;

    /// <summary>Steps trained and journaled: the last checkpoint, or the report's steps once complete.</summary>
    public long StepsDone => Report?.Steps ?? Checkpoint?.Step ?? 0;

    /// <summary>
    /// The run's curve as journaled: one point per accepted checkpoint that reports a metric (a task
    /// without metrics, like noop without a curve, keeps none: a 100,000-run sweep's state stays its
    /// size). A point at or past <paramref name="checkpoint"/>'s step belongs to a line of training
    /// that was abandoned (PBT adopted an older checkpoint), so it goes.
    /// </summary>
    public ImmutableList<HistoryPoint>? Extended(CheckpointInfo checkpoint)
    {
        var kept = History;
        if (kept is { Count: > 0 } && kept[^1].Step >= checkpoint.Step) kept = kept.RemoveAll(p => p.Step >= checkpoint.Step);
        var s = checkpoint.Summary;
        if (s.Loss is null && s.ValidationExactMatch is null && s.ValidationLoss is null) return kept;
        return (kept ?? []).Add(new HistoryPoint(checkpoint.Step, s.Loss, s.ValidationExactMatch, s.ValidationLoss));
    }

    /// <summary>True when a report from (attempt, node) concerns the attempt now running; older attempts are fenced off.</summary>
    public bool IsCurrent(int attempt, string nodeId) => Status == RunStatus.Running && Attempt == attempt && NodeId == nodeId;
}

/// <summary>How many of a sweep's runs are in each status.</summary>
public sealed record RunCounts(int Queued, int Running, int Completed, int Failed, int Cancelled, int Paused = 0, int Pruned = 0)
{
    public static RunCounts None { get; } = new(0, 0, 0, 0, 0);

    public int Finished => Completed + Failed + Cancelled + Pruned;

    public RunCounts Move(RunStatus from, RunStatus to) => from == to ? this : Add(from, -1).Add(to, +1);

    public RunCounts Add(RunStatus status, int n) => status switch
    {
        RunStatus.Queued => this with { Queued = Queued + n },
        RunStatus.Running => this with { Running = Running + n },
        RunStatus.Completed => this with { Completed = Completed + n },
        RunStatus.Failed => this with { Failed = Failed + n },
        RunStatus.Paused => this with { Paused = Paused + n },
        RunStatus.Pruned => this with { Pruned = Pruned + n },
        _ => this with { Cancelled = Cancelled + n },
    };
}

/// <summary>
/// The state of one sweep, changed only by <see cref="Apply"/>: a pure function of the previous
/// state and one persisted event. Replaying a sweep's journal through it rebuilds the sweep as
/// it was after any event. It is also the sweep actor's snapshot. <see cref="Counts"/> is kept
/// as runs change, so summaries cost the same for ten runs or a hundred thousand.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(SweepStateJsonConverter))]
public sealed record SweepState(
    string SweepId,
    SweepDefinition? Definition,
    ImmutableDictionary<string, RunState> Runs,
    RunQueue Queue,
    bool Cancelled,
    long EventCount,
    RunCounts Counts) : ISweepSnapshot
{
    /// <summary>Training steps journaled across every run (checkpoints, pauses, results): what a <c>stop: total_steps</c> limit counts.</summary>
    public long StepsSpent { get; init; }

    /// <summary>Runs that completed early at the sweep's stop target.</summary>
    public int ReachedTarget { get; init; }

    /// <summary>The searcher's choices by run id: each trial's spec since, and why it was chosen.</summary>
    public ImmutableDictionary<string, RunSuggested> Suggestions { get; init; } = ImmutableDictionary<string, RunSuggested>.Empty;

    /// <summary>PBT's exploits, in the order they happened: the sweep's lineage (who copied whom at which step, options before and after).</summary>
    public ImmutableList<RunExploited> Exploits { get; init; } = ImmutableList<RunExploited>.Empty;

    /// <summary>When the sweep was first submitted.</summary>
    public DateTimeOffset? SubmittedAt { get; init; }

    /// <summary>When a run last finished (or the sweep was cancelled): the sweep's end once <see cref="Finished"/>.</summary>
    public DateTimeOffset? LastFinishedAt { get; init; }

    public static SweepState Empty(string sweepId) =>
        new(sweepId, null, ImmutableDictionary<string, RunState>.Empty, RunQueue.Empty, false, 0, RunCounts.None);

    public SweepState Apply(ISweepEvent e)
    {
        if (e.SweepId != SweepId) throw new ArgumentException($"event of sweep '{e.SweepId}' applied to sweep '{SweepId}'");
        var next = e switch
        {
            SweepSubmitted s => this with
            {
                Definition = s.Definition,
                Runs = s.Definition.Runs.ToImmutableDictionary(r => r.RunId, RunState.New),
                Counts = RunCounts.None.Add(RunStatus.Queued, s.Definition.Runs.Count),
                SubmittedAt = SubmittedAt ?? s.At,
            },
            RunsQueued q => this with { Queue = Queue.Enqueue(q.RunIds) },
            RunAssigned a => WithRun(a.RunId, r => r with
            {
                Status = RunStatus.Running, Attempt = a.Attempt, NodeId = a.NodeId, StartedAt = r.StartedAt ?? a.At,
            }) with { Queue = Queue.Remove(a.RunId) },
            RunCheckpointed c => Spending(c.RunId, c.Checkpoint.Step).WithRun(c.RunId, r => r with
            {
                Checkpoint = c.Checkpoint,
                History = r.Extended(c.Checkpoint),
                // The median rule compares runs at the same steps: it keeps each checkpoint's result (rung -1: no rung).
                Rungs = Definition?.Scheduler is MedianScheduler m ? (r.Rungs ?? []).Add(new RungResult(-1, c.Checkpoint.Step, m.Goal.Read(c.Checkpoint.Summary))) : r.Rungs,
            }),
            RunCompleted c => Spending(c.RunId, c.Report.Steps).WithRun(c.RunId, r => r with
            {
                Status = RunStatus.Completed, Report = c.Report, FinishedAt = c.At, Checkpoint = c.Checkpoint ?? r.Checkpoint, AtTarget = c.AtTarget,
                History = c.Checkpoint is { } last ? r.Extended(last) : r.History,
            }) with { ReachedTarget = ReachedTarget + (c.AtTarget ? 1 : 0) },
            RunPaused p => Spending(p.RunId, p.Checkpoint.Step).WithRun(p.RunId, r => r with
            {
                Status = Cancelled ? RunStatus.Cancelled : RunStatus.Paused, NodeId = null, Checkpoint = p.Checkpoint, History = r.Extended(p.Checkpoint),
                Rungs = (r.Rungs ?? []).Add(new RungResult(p.Rung, p.Checkpoint.Step, p.Value)),
            }),
            RunPromoted p => WithRun(p.RunId, r => r with { Status = RunStatus.Queued, FinishedAt = null }) with
            {
                Queue = p.Back ? Queue.Enqueue([p.RunId]) : Queue.PushFront(p.RunId),
            },
            RunPruned p => WithRun(p.RunId, r => r with { Status = RunStatus.Pruned, FinishedAt = p.At }),
            RunSuggested s => WithRun(s.RunId, r => r with { Spec = s.Spec }) with { Suggestions = Suggestions.SetItem(s.RunId, s) },
            RunExploited x => WithRun(x.RunId, r => r with
            {
                Spec = x.Spec, Checkpoint = x.Checkpoint, History = r.History?.RemoveAll(p => p.Step > x.Checkpoint.Step),
            }) with { Exploits = Exploits.Add(x) },
            RunFailed f => WithRun(f.RunId, r => r with
            {
                Failures = r.Failures + 1, LastError = f.Error,
                Status = f.Final ? RunStatus.Failed : r.Status, FinishedAt = f.Final ? f.At : r.FinishedAt,
            }),
            // A requeued run resumes before runs that have not started: it has progress to keep.
            RunRequeued q when Cancelled => WithRun(q.RunId, r => r with { Status = RunStatus.Cancelled, NodeId = null }),
            RunRequeued q => WithRun(q.RunId, r => r with { Status = RunStatus.Queued, NodeId = null }) with { Queue = Queue.PushFront(q.RunId) },
            // Queued and paused runs are cancelled at once; running ones when their node hands them back.
            SweepCancelled c => this with
            {
                Cancelled = true,
                LastFinishedAt = Later(LastFinishedAt, c.At),
                Queue = RunQueue.Empty,
                Runs = Runs.SetItems(Queue.Concat(Paused).Select(id => KeyValuePair.Create(id, Runs[id] with { Status = RunStatus.Cancelled }))),
                Counts = Counts.Add(RunStatus.Queued, -Queue.Count).Add(RunStatus.Paused, -Counts.Paused).Add(RunStatus.Cancelled, Queue.Count + Counts.Paused),
            },
            _ => throw new ArgumentException($"unknown sweep event {e.GetType().Name}"),
        };
        return next with { EventCount = EventCount + 1 };
    }

    /// <summary>Paused runs; scanned only when a sweep has some (under a scheduler).</summary>
    IEnumerable<string> Paused => Counts.Paused == 0 ? [] : Runs.Values.Where(r => r.Status == RunStatus.Paused).Select(r => r.Spec.RunId).ToList();

    /// <summary>Counts the steps a run's new checkpoint or result adds to <see cref="StepsSpent"/>.</summary>
    SweepState Spending(string runId, long step) =>
        Runs.TryGetValue(runId, out var run) && step > run.StepsDone ? this with { StepsSpent = StepsSpent + step - run.StepsDone } : this;

    SweepState WithRun(string runId, Func<RunState, RunState> change)
    {
        if (!Runs.TryGetValue(runId, out var run)) throw new ArgumentException($"sweep '{SweepId}' has no run '{runId}'");
        var changed = change(run);
        return this with
        {
            Runs = Runs.SetItem(runId, changed), Counts = Counts.Move(run.Status, changed.Status),
            LastFinishedAt = changed.FinishedAt is { } f && f != run.FinishedAt ? Later(LastFinishedAt, f) : LastFinishedAt,
        };
    }

    static DateTimeOffset Later(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;

    /// <summary>The runs in the order the sweep file defines them.</summary>
    public IEnumerable<RunState> OrderedRuns => Definition is null ? [] : Definition.Runs.Select(r => Runs[r.RunId]);

    public IEnumerable<RunState> RunningOn(string nodeId) => Runs.Values.Where(r => r.Status == RunStatus.Running && r.NodeId == nodeId);

    /// <summary>Every run has completed, failed for good or been cancelled.</summary>
    public bool Finished => Definition is not null && Counts.Finished == Runs.Count;

    public SweepSummary Summary() => SweepCounts.Of(this).Summary() with { StartedAt = SubmittedAt, FinishedAt = Finished ? LastFinishedAt : null };
}
