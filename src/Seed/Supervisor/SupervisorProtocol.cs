using System.Collections.Immutable;
using Akka.Actor;
using ActorSweep.Messages.Sweeps;

namespace ActorSweep.Seed.Supervisor;

// Messages between the supervisor and its sweep actors. Both live in the singleton's process,
// so these never cross the network and need no manifest.

/// <summary>A sweep's counts changed (sweep actor → supervisor).</summary>
internal sealed record SweepSummaryChanged(SweepSummary Summary);

/// <summary>A node was told there is no work in this sweep (sweep actor → supervisor).</summary>
internal sealed record NodeWaiting(string NodeId, IActorRef Node);

/// <summary>Every run of the sweep has finished (sweep actor → supervisor).</summary>
internal sealed record SweepDone(string SweepId);

/// <summary>The nodes alive now: runs on any other node go back to the queue (supervisor → sweep actor).</summary>
internal sealed record Reconcile(ImmutableHashSet<string> LiveNodes);
