using System.Collections.Immutable;
using ActorSweep.Messages.Work;

namespace ActorSweep.Messages.Sweeps;

public sealed record SweepAccepted(string SweepId, int Runs, bool Resumed) : ISweepReply;

public sealed record SweepRejected(string SweepId, string Reason) : ISweepReply;

/// <summary>A sweep's state (null: no such sweep) and the latest live progress of its running runs (never persisted).</summary>
public sealed record SweepStateReply(string SweepId, SweepState? State, ImmutableList<RunProgress>? Live = null) : ISweepReply;

public sealed record SweepList(ImmutableList<SweepSummary> Sweeps) : ISweepReply;

/// <summary>Counts of a sweep's runs by status (paused and pruned: under a scheduler).</summary>
public sealed record SweepSummary(string SweepId, string Task, int Runs, int Queued, int Running, int Completed, int Failed,
                                  bool Cancelled, bool Finished)
{
    public int Paused { get; init; }
    public int Pruned { get; init; }
    /// <summary>When the sweep was submitted (null where only its counts were folded, as `status` does over a journal).</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>When its last run finished, once the sweep has.</summary>
    public DateTimeOffset? FinishedAt { get; init; }
}

/// <summary>Sent to watchers whenever a run of the sweep changes status or checkpoints.</summary>
public sealed record SweepChanged(string SweepId, SweepSummary Summary, string RunId) : ISweepReply;

/// <summary>Sent to watchers once every run has completed or failed for good (or the sweep was cancelled).</summary>
public sealed record SweepFinished(string SweepId, SweepSummary Summary) : ISweepReply;
