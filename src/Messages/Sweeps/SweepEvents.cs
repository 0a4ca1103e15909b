using System.Collections.Immutable;
using ActorSweep.Messages.Results;
using ActorSweep.Messages.Runs;

namespace ActorSweep.Messages.Sweeps;

public sealed record SweepSubmitted(string SweepId, SweepDefinition Definition, DateTimeOffset At) : ISweepEvent;

/// <summary>Runs entered the queue, in this order.</summary>
public sealed record RunsQueued(string SweepId, ImmutableList<string> RunIds) : ISweepEvent;

/// <summary>Attempt <see cref="Attempt"/> of a run went to a node, resuming from <see cref="ResumeFrom"/> when set.</summary>
public sealed record RunAssigned(string SweepId, string RunId, int Attempt, string NodeId, CheckpointInfo? ResumeFrom, DateTimeOffset At) : ISweepEvent;

public sealed record RunCheckpointed(string SweepId, string RunId, int Attempt, CheckpointInfo Checkpoint) : ISweepEvent;

/// <summary>A run finished: its report, and the checkpoint of its trained model.</summary>
public sealed record RunCompleted(string SweepId, string RunId, int Attempt, RunReport Report, DateTimeOffset At,
                                  CheckpointInfo? Checkpoint = null) : ISweepEvent;

/// <summary>An attempt failed; <see cref="Final"/> when the retry limit is spent.</summary>
public sealed record RunFailed(string SweepId, string RunId, int Attempt, string Error, bool Final, DateTimeOffset At) : ISweepEvent;

/// <summary>A run went back to the queue after its attempt ended without a result (failure, node loss, release).</summary>
public sealed record RunRequeued(string SweepId, string RunId, int Attempt, string Reason) : ISweepEvent;

public sealed record SweepCancelled(string SweepId, string Reason, DateTimeOffset At) : ISweepEvent;

/// <summary>The supervisor registered a sweep (journal "sweep-supervisor").</summary>
public sealed record SweepRegistered(string SweepId, string Hash) : ISupervisorEvent;

/// <summary>A sweep finished: its actor need not be started when the supervisor recovers.</summary>
public sealed record SweepClosed(string SweepId) : ISupervisorEvent;
