using System.Collections.Immutable;
using ActorSweep.Messages.Results;
using ActorSweep.Messages.Runs;

namespace ActorSweep.Messages.Sweeps;

public sealed record SweepSubmitted(string SweepId, SweepDefinition Definition, DateTimeOffset At) : ISweepEvent;

/// <summary>Runs entered the queue, in this order.</summary>
public sealed record RunsQueued(string SweepId, ImmutableList<string> RunIds) : ISweepEvent;

/// <summary>
/// Attempt <see cref="Attempt"/> of a run went to a node, resuming from <see cref="ResumeFrom"/>
/// when set, with the <see cref="Limits"/> its sweep's scheduler and stop rules set.
/// </summary>
public sealed record RunAssigned(string SweepId, string RunId, int Attempt, string NodeId, CheckpointInfo? ResumeFrom, DateTimeOffset At,
                                 RunLimits? Limits = null) : ISweepEvent;

public sealed record RunCheckpointed(string SweepId, string RunId, int Attempt, CheckpointInfo Checkpoint) : ISweepEvent;

/// <summary>A run finished: its report, and the checkpoint of its trained model; <see cref="AtTarget"/> when it stopped early at the sweep's target.</summary>
public sealed record RunCompleted(string SweepId, string RunId, int Attempt, RunReport Report, DateTimeOffset At,
                                  CheckpointInfo? Checkpoint = null, bool AtTarget = false) : ISweepEvent;

/// <summary>A run reached rung <see cref="Rung"/> of its scheduler, checkpointed there and freed its slot; <see cref="Value"/> is its metric there.</summary>
public sealed record RunPaused(string SweepId, string RunId, int Attempt, CheckpointInfo Checkpoint, int Rung, double? Value, DateTimeOffset At) : ISweepEvent;

/// <summary>
/// A paused or pruned run goes back to the queue, to train on to its next rung (the scheduler's
/// decision, or a user's): at its front, or at its back (<see cref="Back"/>: PBT's turn-taking, so
/// one slot still trains the whole population interval by interval).
/// </summary>
public sealed record RunPromoted(string SweepId, string RunId, int FromRung, string Reason, RunStatus From = RunStatus.Paused, bool Back = false) : ISweepEvent;

/// <summary>The scheduler stopped a run (paused, or running) for good; its last checkpoint stays, so it can be promoted by hand.</summary>
public sealed record RunPruned(string SweepId, string RunId, string Reason, DateTimeOffset At, RunStatus From = RunStatus.Paused) : ISweepEvent;

/// <summary>An attempt failed; <see cref="Final"/> when the retry limit is spent.</summary>
public sealed record RunFailed(string SweepId, string RunId, int Attempt, string Error, bool Final, DateTimeOffset At) : ISweepEvent;

/// <summary>A run went back to the queue after its attempt ended without a result (failure, node loss, release).</summary>
public sealed record RunRequeued(string SweepId, string RunId, int Attempt, string Reason) : ISweepEvent;

/// <summary>A searcher chose a trial's options before its first assignment: its spec from now on, and why (<see cref="Suggestion"/>).</summary>
public sealed record RunSuggested(string SweepId, string RunId, RunSpec Spec, Suggestion Why) : ISweepEvent;

/// <summary>
/// PBT: a paused run in the bottom of the population exploits <see cref="DonorId"/>: it goes on from
/// <see cref="Checkpoint"/>, a copy of the donor's checkpoint <see cref="Donor"/> (the same step and
/// bytes, under this run's name, so the donor's later clean-ups cannot remove it), with
/// <see cref="Spec"/>: the donor's options with <see cref="Before"/> explored to <see cref="After"/>.
/// </summary>
public sealed record RunExploited(string SweepId, string RunId, string DonorId, CheckpointInfo Donor, CheckpointInfo Checkpoint, RunSpec Spec,
                                  ImmutableSortedDictionary<string, string> Before, ImmutableSortedDictionary<string, string> After, DateTimeOffset At) : ISweepEvent;

public sealed record SweepCancelled(string SweepId, string Reason, DateTimeOffset At) : ISweepEvent;

/// <summary>The supervisor registered a sweep (journal "sweep-supervisor").</summary>
public sealed record SweepRegistered(string SweepId, string Hash) : ISupervisorEvent;

/// <summary>
/// A sweep finished, with its final summary: its actor is not started when the supervisor
/// recovers (it starts when asked about), and listings show this summary meanwhile. Journals
/// written before the summary was kept have none: those sweeps' actors start on recovery.
/// </summary>
public sealed record SweepClosed(string SweepId, SweepSummary? Summary = null) : ISupervisorEvent;

/// <summary>A finished sweep has work again (a run promoted by hand): it is treated as open until it finishes again.</summary>
public sealed record SweepReopened(string SweepId) : ISupervisorEvent;
