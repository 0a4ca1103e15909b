using System.Collections.Immutable;
using ActorSweep.Messages.Results;
using ActorSweep.Messages.Runs;
using ActorSweep.Messages.Sweeps;

namespace ActorSweep.Messages.Work;

/// <summary>
/// A node agent asks for up to <see cref="FreeSlots"/> runs. Nodes pull work at their own pace.
/// <see cref="MaxParameters"/>, when set, is the largest model the node takes (its memory's bound).
/// <see cref="OnlySweeps"/>, when set, are the only sweeps whose runs it takes (`actorsweep run` trains
/// its own sweep, not every unfinished one in its database).
/// </summary>
public sealed record RequestWork(string NodeId, int FreeSlots, string Device, long? MaxParameters = null,
                                 ImmutableList<string>? OnlySweeps = null) : IWorkMessage;

/// <summary>
/// One run handed to a node: attempt <see cref="Attempt"/>, resuming from <see cref="ResumeFrom"/> when set, within <see cref="Limits"/>.
/// <see cref="Adopted"/>: the checkpoint is another run's (PBT copied it): the same model, trained under other options.
/// </summary>
public sealed record RunAssignment(string SweepId, RunSpec Run, int Attempt, CheckpointInfo? ResumeFrom, RunLimits? Limits = null,
                                   bool Adopted = false);

/// <summary>The supervisor's answer to <see cref="RequestWork"/>: at most the free slots' worth of runs.</summary>
public sealed record AssignRuns(string NodeId, ImmutableList<RunAssignment> Runs) : IWorkMessage;

/// <summary>Nothing is queued; the node waits for <see cref="WorkAvailable"/> (or its own retry timer).</summary>
public sealed record NoWork(string NodeId) : IWorkMessage;

/// <summary>Sent to nodes that were told <see cref="NoWork"/> once runs are queued again.</summary>
public sealed record WorkAvailable(string Reason) : IWorkMessage;

/// <summary>Live progress of a run, forwarded to watchers and metrics; never persisted.</summary>
public sealed record RunProgress(string SweepId, string RunId, int Attempt, string NodeId, long Step, long TotalSteps,
                                 double? Loss, double? ValidationExactMatch) : IWorkMessage;

/// <summary>
/// A report about a run that must reach the supervisor: the node resends it until a
/// <see cref="ReportAck"/> with its <see cref="ReportId"/> arrives. Reports of an attempt that is
/// no longer current are acknowledged and ignored.
/// </summary>
public interface IRunReport : IWorkMessage
{
    string SweepId { get; }
    string RunId { get; }
    int Attempt { get; }
    string NodeId { get; }
    long ReportId { get; }
}

public sealed record RunCheckpointReport(string SweepId, string RunId, int Attempt, string NodeId, long ReportId,
                                         CheckpointInfo Checkpoint) : IRunReport;

/// <summary>The result, with the checkpoint of the trained model (every step done, or fewer when a limit ended it early).</summary>
public sealed record RunCompletedReport(string SweepId, string RunId, int Attempt, string NodeId, long ReportId,
                                        RunReport Report, CheckpointInfo? Checkpoint) : IRunReport;

public sealed record RunFailedReport(string SweepId, string RunId, int Attempt, string NodeId, long ReportId,
                                     string Error) : IRunReport;

/// <summary>The node hands a run back (it is draining), with the checkpoint it just wrote.</summary>
public sealed record RunReleasedReport(string SweepId, string RunId, int Attempt, string NodeId, long ReportId,
                                       CheckpointInfo? Checkpoint) : IRunReport;

/// <summary>The run reached its <see cref="RunLimits.PauseAt"/> step: checkpointed there, its slot freed, waiting for the scheduler.</summary>
public sealed record RunPausedReport(string SweepId, string RunId, int Attempt, string NodeId, long ReportId,
                                     CheckpointInfo Checkpoint) : IRunReport;

/// <summary>
/// The supervisor has durably handled report <see cref="ReportId"/> of node <see cref="NodeId"/>:
/// <see cref="Accepted"/> when it changed the run, false when it was ignored (a stale attempt, a repeat).
/// Only an accepted checkpoint lets the node prune older ones.
/// </summary>
public sealed record ReportAck(string NodeId, long ReportId, bool Accepted) : IWorkMessage;

/// <summary>The supervisor asks a node to checkpoint and hand back these runs (their sweep was cancelled).</summary>
public sealed record StopRuns(string SweepId, ImmutableList<string> RunIds, string Reason) : IWorkMessage;
