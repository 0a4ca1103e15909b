using System.Collections.Immutable;
using Akka.Actor;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Messages.Work;

namespace ActorSweep.Seed.Supervisor;

// Messages between the supervisor and its sweep actors. Both live in the singleton's process,
// so these never cross the network and need no manifest.

/// <summary>A sweep's counts changed (sweep actor → supervisor).</summary>
internal sealed record SweepSummaryChanged(SweepSummary Summary);

/// <summary>A node was told there is no work in this sweep (sweep actor → supervisor).</summary>
internal sealed record NodeWaiting(string NodeId, IActorRef Node);

/// <summary>
/// None of this sweep's queued runs fits the node's model bound (sweep actor → supervisor): the
/// request goes on to the next sweep with queued runs, skipping those already tried.
/// </summary>
internal sealed record NothingFits(RequestWork Request, IActorRef Node, ImmutableHashSet<string> Tried);

/// <summary>A work request that other sweeps could not serve, with the sweeps tried (supervisor → sweep actor; the sender is the node).</summary>
internal sealed record RetriedRequest(RequestWork Request, ImmutableHashSet<string> Tried);

/// <summary>Every run of the sweep has finished (sweep actor → supervisor).</summary>
internal sealed record SweepDone(string SweepId);

/// <summary>The nodes alive now: runs on any other node go back to the queue (supervisor → sweep actor).</summary>
internal sealed record Reconcile(ImmutableHashSet<string> LiveNodes);
