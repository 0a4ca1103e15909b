using System.Collections.Frozen;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Messages.Work;

namespace ActorSweep.Messages.Serialization;

/// <summary>
/// The stable manifest of every serializable message. Journals and remote peers store these
/// strings: never rename one; add a new version for an incompatible shape, and list the old
/// manifest of anything persisted under <see cref="Legacy"/> so that journals written before it
/// still replay. v2 (runs carry typed definitions) replaced v1's option text in every message
/// holding a <c>RunSpec</c>.
/// </summary>
public static class MessageManifests
{
    static readonly (Type Type, string Manifest)[] Table =
    [
        // Commands
        (typeof(SubmitSweep), "sweep.cmd.submit.v2"),
        (typeof(GetSweepState), "sweep.cmd.get-state.v1"),
        (typeof(ListSweeps), "sweep.cmd.list.v1"),
        (typeof(CancelSweep), "sweep.cmd.cancel.v1"),
        (typeof(WatchSweep), "sweep.cmd.watch.v1"),
        (typeof(UnwatchSweep), "sweep.cmd.unwatch.v1"),
        (typeof(PromoteRun), "sweep.cmd.promote.v1"),
        // Replies and notifications
        (typeof(SweepAccepted), "sweep.reply.accepted.v1"),
        (typeof(SweepRejected), "sweep.reply.rejected.v1"),
        (typeof(SweepStateReply), "sweep.reply.state.v2"),
        (typeof(SweepList), "sweep.reply.list.v1"),
        (typeof(SweepChanged), "sweep.reply.changed.v1"),
        (typeof(SweepFinished), "sweep.reply.finished.v1"),
        // Events of a sweep
        (typeof(SweepSubmitted), "sweep.evt.submitted.v2"),
        (typeof(RunsQueued), "sweep.evt.runs-queued.v1"),
        (typeof(RunAssigned), "sweep.evt.run-assigned.v1"),
        (typeof(RunCheckpointed), "sweep.evt.run-checkpointed.v1"),
        (typeof(RunCompleted), "sweep.evt.run-completed.v1"),
        (typeof(RunFailed), "sweep.evt.run-failed.v1"),
        (typeof(RunRequeued), "sweep.evt.run-requeued.v1"),
        (typeof(SweepCancelled), "sweep.evt.cancelled.v1"),
        (typeof(RunPaused), "sweep.evt.run-paused.v1"),
        (typeof(RunPromoted), "sweep.evt.run-promoted.v1"),
        (typeof(RunPruned), "sweep.evt.run-pruned.v1"),
        (typeof(RunSuggested), "sweep.evt.run-suggested.v1"),
        (typeof(RunExploited), "sweep.evt.run-exploited.v1"),
        // Events of the supervisor's registry
        (typeof(SweepRegistered), "supervisor.evt.registered.v1"),
        (typeof(SweepClosed), "supervisor.evt.closed.v1"),
        (typeof(SweepReopened), "supervisor.evt.reopened.v1"),
        // Snapshots
        (typeof(SweepState), "sweep.snapshot.state.v3"), // v3: gzip-compressed JSON
        // Work protocol
        (typeof(RequestWork), "work.request.v1"),
        (typeof(AssignRuns), "work.assign.v2"),
        (typeof(NoWork), "work.none.v1"),
        (typeof(WorkAvailable), "work.available.v1"),
        (typeof(RunProgress), "work.progress.v1"),
        (typeof(RunCheckpointReport), "work.report.checkpoint.v1"),
        (typeof(RunCompletedReport), "work.report.completed.v1"),
        (typeof(RunFailedReport), "work.report.failed.v1"),
        (typeof(RunReleasedReport), "work.report.released.v1"),
        (typeof(RunPausedReport), "work.report.paused.v1"),
        (typeof(ReportAck), "work.report.ack.v1"),
        (typeof(StopRuns), "work.stop-runs.v1"),
    ];

    /// <summary>Manifests of persisted events and snapshots in an older shape, read by upcasting (<see cref="LegacyRunSpecConverter"/>).</summary>
    static readonly (string Manifest, Type Type)[] Legacy =
    [
        ("sweep.evt.submitted.v1", typeof(SweepSubmitted)),
        ("sweep.snapshot.state.v1", typeof(SweepState)),
    ];

    /// <summary>Manifests of an older encoding of the same shape, read as they are (v2 snapshots: the same JSON, uncompressed).</summary>
    static readonly (string Manifest, Type Type)[] Older =
    [
        ("sweep.snapshot.state.v2", typeof(SweepState)),
    ];

    static readonly FrozenDictionary<string, Type> ByOlderManifest = Older.ToFrozenDictionary(t => t.Manifest, t => t.Type);

    static readonly FrozenDictionary<Type, string> ByType = Table.ToFrozenDictionary(t => t.Type, t => t.Manifest);
    static readonly FrozenDictionary<string, Type> ByManifest = Table.ToFrozenDictionary(t => t.Manifest, t => t.Type);

    public static IEnumerable<Type> Types => ByType.Keys;

    public static string? ManifestOf(Type type) => ByType.GetValueOrDefault(type);

    static readonly FrozenDictionary<string, Type> ByLegacyManifest = Legacy.ToFrozenDictionary(t => t.Manifest, t => t.Type);

    /// <summary>The type a manifest names; <paramref name="legacy"/> when it is an older shape that must be upcast.</summary>
    public static bool TryGetType(string manifest, out Type type, out bool legacy)
    {
        legacy = ByLegacyManifest.TryGetValue(manifest, out type!);
        return legacy || ByManifest.TryGetValue(manifest, out type!) || ByOlderManifest.TryGetValue(manifest, out type!);
    }
}
