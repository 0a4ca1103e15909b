using System.Collections.Immutable;
using ActorSweep.Messages.Results;
using ActorSweep.Messages.Runs;

namespace ActorSweep.Messages.Sweeps;

public enum RunStatus { Queued, Running, Completed, Failed, Cancelled }

/// <summary>Where one run stands: its current attempt and node, last checkpoint, failures and result.</summary>
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
    DateTimeOffset? FinishedAt)
{
    public static RunState New(RunSpec spec) => new(spec, RunStatus.Queued, 0, null, null, 0, null, null, null, null);

    public bool IsFinished => Status is RunStatus.Completed or RunStatus.Failed or RunStatus.Cancelled;

    /// <summary>True when a report from (attempt, node) concerns the attempt now running; older attempts are fenced off.</summary>
    public bool IsCurrent(int attempt, string nodeId) => Status == RunStatus.Running && Attempt == attempt && NodeId == nodeId;
}

/// <summary>How many of a sweep's runs are in each status.</summary>
public sealed record RunCounts(int Queued, int Running, int Completed, int Failed, int Cancelled)
{
    public static RunCounts None { get; } = new(0, 0, 0, 0, 0);

    public int Finished => Completed + Failed + Cancelled;

    public RunCounts Move(RunStatus from, RunStatus to) => from == to ? this : Add(from, -1).Add(to, +1);

    public RunCounts Add(RunStatus status, int n) => status switch
    {
        RunStatus.Queued => this with { Queued = Queued + n },
        RunStatus.Running => this with { Running = Running + n },
        RunStatus.Completed => this with { Completed = Completed + n },
        RunStatus.Failed => this with { Failed = Failed + n },
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
            },
            RunsQueued q => this with { Queue = Queue.Enqueue(q.RunIds) },
            RunAssigned a => WithRun(a.RunId, r => r with
            {
                Status = RunStatus.Running, Attempt = a.Attempt, NodeId = a.NodeId, StartedAt = r.StartedAt ?? a.At,
            }) with { Queue = Queue.Remove(a.RunId) },
            RunCheckpointed c => WithRun(c.RunId, r => r with { Checkpoint = c.Checkpoint }),
            RunCompleted c => WithRun(c.RunId, r => r with
            {
                Status = RunStatus.Completed, Report = c.Report, FinishedAt = c.At, Checkpoint = c.Checkpoint ?? r.Checkpoint,
            }),
            RunFailed f => WithRun(f.RunId, r => r with
            {
                Failures = r.Failures + 1, LastError = f.Error,
                Status = f.Final ? RunStatus.Failed : r.Status, FinishedAt = f.Final ? f.At : r.FinishedAt,
            }),
            // A requeued run resumes before runs that have not started: it has progress to keep.
            RunRequeued q when Cancelled => WithRun(q.RunId, r => r with { Status = RunStatus.Cancelled, NodeId = null }),
            RunRequeued q => WithRun(q.RunId, r => r with { Status = RunStatus.Queued, NodeId = null }) with { Queue = Queue.PushFront(q.RunId) },
            SweepCancelled => this with
            {
                Cancelled = true,
                Queue = RunQueue.Empty,
                Runs = Runs.SetItems(Queue.Select(id => KeyValuePair.Create(id, Runs[id] with { Status = RunStatus.Cancelled }))),
                Counts = Counts.Add(RunStatus.Queued, -Queue.Count).Add(RunStatus.Cancelled, Queue.Count),
            },
            _ => throw new ArgumentException($"unknown sweep event {e.GetType().Name}"),
        };
        return next with { EventCount = EventCount + 1 };
    }

    SweepState WithRun(string runId, Func<RunState, RunState> change)
    {
        if (!Runs.TryGetValue(runId, out var run)) throw new ArgumentException($"sweep '{SweepId}' has no run '{runId}'");
        var changed = change(run);
        return this with { Runs = Runs.SetItem(runId, changed), Counts = Counts.Move(run.Status, changed.Status) };
    }

    /// <summary>The runs in the order the sweep file defines them.</summary>
    public IEnumerable<RunState> OrderedRuns => Definition is null ? [] : Definition.Runs.Select(r => Runs[r.RunId]);

    public IEnumerable<RunState> RunningOn(string nodeId) => Runs.Values.Where(r => r.Status == RunStatus.Running && r.NodeId == nodeId);

    /// <summary>Every run has completed, failed for good or been cancelled.</summary>
    public bool Finished => Definition is not null && Counts.Finished == Runs.Count;

    public SweepSummary Summary() => SweepCounts.Of(this).Summary();
}
