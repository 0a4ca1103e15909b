using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using ActorSweep.Hosting.Storage;
using ActorSweep.Messages;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Messages.Work;
using ActorSweep.Seed.Search;
using ActorSweep.Telemetry.Metrics;

namespace ActorSweep.Seed.Supervisor;

/// <summary>
/// One sweep, event-sourced in journal "sweep-{id}". A thin shell: <see cref="SweepDecisions"/>
/// decides, <see cref="SweepState.Apply"/> changes state, and this actor persists, replies,
/// acknowledges reports and notifies watchers. Snapshots every <c>snapshotEvery</c> events (or
/// every as many events as the sweep has runs, if that is more), and when the sweep finishes.
/// <para>
/// Writes are group-committed: a decision's events are applied at once, so the next command sees
/// them, and persisted with PersistAllAsync, so many commands share one database transaction.
/// Every reply, ack and assignment waits for its write; if a write fails the actor restarts from
/// the journal, and since nothing was acknowledged, nodes resend and nothing is lost.
/// </para>
/// <para>
/// Leases: a running run whose node sends no progress or report for the sweep's lease is taken
/// back (a hung but alive worker). The clock starts again whenever this actor starts, so a
/// supervisor that moved to another node gives every running run a full lease.
/// </para>
/// </summary>
public sealed class SweepActor : ReceivePersistentActor, IWithTimers
{
    sealed record CheckLeases
    {
        public static readonly CheckLeases Instance = new();
    }

    sealed record ForgetMetrics
    {
        public static readonly ForgetMetrics Instance = new();
    }

    /// <summary>How long a finished sweep's gauges stay for scrapes to see its final counts.</summary>
    public static readonly TimeSpan MetricsKeptAfterFinish = TimeSpan.FromMinutes(5);

    readonly ILoggingAdapter _log = Context.GetLogger();
    readonly int _snapshotEvery;
    readonly KeyValuePair<string, object?> _sweepTag;
    readonly HashSet<IActorRef> _watchers = [];
    readonly Dictionary<string, IActorRef> _nodes = [];
    readonly Dictionary<string, long> _lastHeard = [];        // running run id -> when its current attempt last spoke (the running runs, indexed)
    readonly Dictionary<string, RunProgress> _live = [];      // run id -> its current attempt's latest progress
    SweepState _state;
    long _lastSnapshot;
    int _unwritten;
    bool _finishAnnounced;

    public static string PersistenceIdFor(string sweepId) => $"sweep-{sweepId}";

    /// <summary>How many snapshots of a sweep are kept (older ones are deleted).</summary>
    public const int SnapshotsKept = 10;

    /// <summary>Events between snapshots: a snapshot costs as much as the sweep is large, so a large sweep snapshots less often.</summary>
    long SnapshotInterval => Math.Max(_snapshotEvery, _state.Runs.Count);

    /// <param name="checkpoints">The store runs checkpoint to, where PBT's exploits copy a donor's checkpoint; without one, runs never exploit.</param>
    public static Props Props(string sweepId, int snapshotEvery = 200, ICheckpointStore? checkpoints = null) =>
        Akka.Actor.Props.Create(() => new SweepActor(sweepId, snapshotEvery, checkpoints));

    readonly ICheckpointStore? _checkpoints;

    public SweepActor(string sweepId, int snapshotEvery, ICheckpointStore? checkpoints)
    {
        _checkpoints = checkpoints;
        PersistenceId = PersistenceIdFor(sweepId);
        _snapshotEvery = snapshotEvery;
        _sweepTag = SupervisorMetrics.Sweep(sweepId);
        _state = SweepState.Empty(sweepId);

        Recover<SnapshotOffer>(offer =>
        {
            _state = (SweepState)offer.Snapshot;
            _lastSnapshot = offer.Metadata.SequenceNr;
        });
        Recover<ISweepEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            // The clock of every running run starts now (a supervisor that moved gives each a full lease).
            long now = Stopwatch.GetTimestamp();
            foreach (var run in _state.Runs.Values.Where(r => r.Status == RunStatus.Running)) _lastHeard[run.Spec.RunId] = now;
            _finishAnnounced = _state.Finished;
            ReportSummary();
            StartLeaseTimer();
        });

        Command<SubmitSweep>(Submit);
        Command<RequestWork>(r => AssignWork(r, []));
        Command<RetriedRequest>(r => AssignWork(r.Request, r.Tried));
        Command<IRunReport>(HandleReport);
        Command<RunProgress>(p =>
        {
            if (!Heard(p.RunId, p.Attempt, p.NodeId)) return; // a stale attempt's progress is not news
            _live[p.RunId] = p;
            Tell(_watchers, p);
        });
        Command<CheckLeases>(_ => ExpireLeases());
        Command<ForgetMetrics>(_ =>
        {
            if (_state.Finished) SupervisorMetrics.ForgetStates(_state.SweepId);
        });
        Command<Reconcile>(r => PersistThen(SweepDecisions.OnNodesLost(_state, r.LiveNodes.Contains), "node loss", () => Changed(null)));
        Command<GetSweepState>(_ =>
        {
            var replyTo = Sender;
            AfterWrites(() => replyTo.Tell(StateReply()));
        });
        Command<CancelSweep>(Cancel);
        Command<PromoteRun>(promote =>
        {
            var replyTo = Sender;
            var decision = SweepDecisions.Promote(_state, promote.RunId);
            if (decision.Ignored is not null) replyTo.Tell(new SweepRejected(_state.SweepId, decision.Ignored));
            else PersistThen(decision, "promotion", () =>
            {
                _log.Info("Sweep {0}: run {1} promoted by hand", _state.SweepId, promote.RunId);
                replyTo.Tell(StateReply());
                Changed(promote.RunId);
            });
        });
        Command<WatchSweep>(_ =>
        {
            _watchers.Add(Sender);
            Context.Watch(Sender);
            Sender.Tell(StateReply());
            if (_state.Finished) Sender.Tell(new SweepFinished(_state.SweepId, _state.Summary()));
        });
        // Statement bodies: a lambda returning HashSet.Remove's bool binds to Command(Func<T, bool>), where
        // false means "not handled", and an unhandled Terminated (a watcher that unwatched, then
        // stopped: a browser leaving the dashboard) kills the actor with a DeathPactException.
        Command<UnwatchSweep>(_ =>
        {
            _watchers.Remove(Sender);
            Context.Unwatch(Sender);
        });
        Command<Terminated>(t => { _watchers.Remove(t.ActorRef); });
        // The last few snapshots are kept, at their intervals, so `replay --until N` starts near N.
        Command<SaveSnapshotSuccess>(s =>
        {
            long keepFrom = s.Metadata.SequenceNr - (long)SnapshotsKept * SnapshotInterval;
            if (keepFrom > 0) DeleteSnapshots(new SnapshotSelectionCriteria(keepFrom));
        });
        Command<SaveSnapshotFailure>(f => _log.Warning("Snapshot of {0} failed: {1}", PersistenceId, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning("Deleting old snapshots of {0} failed: {1}", PersistenceId, f.Cause.Message));
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    SweepStateReply StateReply() => _state.Definition is null
        ? new SweepStateReply(_state.SweepId, null)
        : new SweepStateReply(_state.SweepId, _state, _live.Values
            .Where(p => _state.Runs[p.RunId].IsCurrent(p.Attempt, p.NodeId))
            .OrderBy(p => p.RunId, StringComparer.Ordinal).ToImmutableList());

    TimeSpan Lease => TimeSpan.FromSeconds(_state.Definition?.LeaseSeconds ?? SweepDefinition.DefaultLeaseSeconds);

    void StartLeaseTimer()
    {
        var every = TimeSpan.FromTicks(Math.Clamp(Lease.Ticks / 4, TimeSpan.FromMilliseconds(250).Ticks, TimeSpan.FromSeconds(10).Ticks));
        Timers.StartPeriodicTimer("leases", CheckLeases.Instance, every);
    }

    /// <summary>Notes that the current attempt of a run spoke; false when (attempt, node) is not the current one.</summary>
    bool Heard(string runId, int attempt, string nodeId)
    {
        if (!_state.Runs.TryGetValue(runId, out var run) || !run.IsCurrent(attempt, nodeId)) return false;
        _lastHeard[runId] = Stopwatch.GetTimestamp();
        return true;
    }

    /// <summary>Costs as much as the sweep has running runs, not runs: <see cref="_lastHeard"/> indexes them.</summary>
    void ExpireLeases()
    {
        if (_lastHeard.Count == 0) return; // nothing running (a finished sweep costs nothing)
        var lease = Lease;
        var expired = _lastHeard.Where(h => Stopwatch.GetElapsedTime(h.Value) > lease).Select(h => h.Key).ToList();
        if (expired.Count == 0) return;

        var nodes = expired.ToDictionary(id => id, id => _state.Runs[id].NodeId!);
        var decision = SweepDecisions.OnLeaseExpired(_state, expired, lease);
        _log.Warning("Sweep {0}: no word for {1} from the node(s) of {2}; taking them back", _state.SweepId, lease, string.Join(", ", expired));
        PersistThen(decision, "lease expiry", () =>
        {
            // If the node wakes up, it stops these attempts; their late reports are fenced off anyway.
            foreach (var group in nodes.GroupBy(n => n.Value))
                if (_nodes.TryGetValue(group.Key, out var node))
                    node.Tell(new StopRuns(_state.SweepId, group.Select(g => g.Key).ToImmutableList(), "lease expired"));
            Changed(null);
        });
    }

    void Submit(SubmitSweep submit)
    {
        var replyTo = Sender;
        var decision = SweepDecisions.Submit(_state, submit.Definition, DateTimeOffset.UtcNow);
        if (decision.Events.Count > 0)
            PersistThen(decision, "submit", () =>
            {
                StartLeaseTimer(); // the sweep's own lease is known now
                replyTo.Tell(new SweepAccepted(_state.SweepId, _state.Runs.Count, Resumed: false));
                Changed(null);
            });
        else if (decision.Ignored == "already submitted")
            AfterWrites(() => replyTo.Tell(new SweepAccepted(_state.SweepId, _state.Runs.Count, Resumed: true)));
        else
            replyTo.Tell(new SweepRejected(_state.SweepId, $"{decision.Ignored}: sweep '{_state.SweepId}' was submitted with different contents (hash {_state.Definition?.Hash}, now {submit.Definition.Hash}); rename it to start a new sweep"));
    }

    void AssignWork(RequestWork request, ImmutableHashSet<string> tried)
    {
        var node = Sender;
        _nodes[request.NodeId] = node;
        var assigned = SweepDecisions.Assign(_state, request.NodeId, request.FreeSlots, DateTimeOffset.UtcNow, request.MaxParameters);
        if (assigned.Count == 0 && request.MaxParameters is { } bound && _state.Queue.Count > 0 && !_state.Cancelled)
        {
            // Its runs wait for a larger node; the request may still find work in another sweep.
            _log.Info("Sweep {0}: none of its {1} queued runs fits node {2} (at most {3:N0} parameters); they wait for a larger node",
                _state.SweepId, _state.Queue.Count, request.NodeId, bound);
            Context.Parent.Tell(new NothingFits(request, node, tried.Add(_state.SweepId)));
            return;
        }
        if (assigned.Count == 0)
        {
            node.Tell(new NoWork(request.NodeId));
            Context.Parent.Tell(new NodeWaiting(request.NodeId, node));
            return;
        }
        // A search chooses a trial's options as it is first assigned: its RunSuggested goes first.
        PersistThen(new Decision(SearchDecisions.WithSuggestions(_state, assigned)), "assignment", () =>
        {
            node.Tell(new AssignRuns(request.NodeId, assigned
                .Select(a => new RunAssignment(_state.SweepId, _state.Runs[a.RunId].Spec, a.Attempt, a.ResumeFrom, a.Limits, PbtDecisions.Adopted(_state, a)))
                .ToImmutableList()));
            foreach (var a in assigned) Heard(a.RunId, a.Attempt, a.NodeId);
            foreach (var a in assigned) Changed(a.RunId);
        });
    }

    void HandleReport(IRunReport report)
    {
        var node = Sender;
        _nodes[report.NodeId] = node; // a node whose slots are all busy never asks for work: StopRuns must still reach it
        Heard(report.RunId, report.Attempt, report.NodeId);
        var decision = SweepDecisions.OnReport(_state, report, DateTimeOffset.UtcNow);
        if (decision.Ignored is not null)
            _log.Info("Ignored {0} for {1}/{2}: {3}", report.GetType().Name, report.SweepId, report.RunId, decision.Ignored);
        PersistThen(decision, report.GetType().Name, () =>
        {
            node.Tell(new ReportAck(report.NodeId, report.ReportId, decision.Events.Count > 0));
            if (decision.Events.Count > 0) Changed(report.RunId);
        });
    }

    void Cancel(CancelSweep cancel)
    {
        var replyTo = Sender;
        var decision = SweepDecisions.Cancel(_state, cancel.Reason, DateTimeOffset.UtcNow);
        PersistThen(decision, "cancel", () =>
        {
            replyTo.Tell(new SweepStateReply(_state.SweepId, _state));
            Changed(null);
        });
    }

    /// <summary>
    /// Applies the decision's events and persists them; <paramref name="after"/> runs once they are
    /// written. With no events it still waits for earlier writes, so an answer never gets ahead of
    /// the state it reflects.
    /// </summary>
    void PersistThen(Decision decision, string what, Action after)
    {
        decision = CopyExploited(SchedulerDecisions.WithSchedule(_state, decision, DateTimeOffset.UtcNow));
        if (decision.Events.OfType<SweepCancelled>().FirstOrDefault() is { } cancelled)
            after = StopRunningRunsThen(cancelled.Reason, after);
        // A run pruned while it runs (the median rule) is stopped on its node; its late reports are fenced off.
        var pruned = decision.Events.OfType<RunPruned>().Where(p => p.From == RunStatus.Running && _state.Runs[p.RunId].NodeId is not null)
            .Select(p => (p.RunId, Node: _state.Runs[p.RunId].NodeId!, p.Reason)).ToList();
        if (pruned.Count > 0)
        {
            var then = after;
            after = () =>
            {
                foreach (var (runId, node, reason) in pruned)
                    if (_nodes.TryGetValue(node, out var actor)) actor.Tell(new StopRuns(_state.SweepId, [runId], "pruned: " + reason));
                then();
            };
        }
        if (decision.Events.Count == 0)
        {
            AfterWrites(after);
            return;
        }
        foreach (var e in decision.Events)
        {
            _state = _state.Apply(e);
            TrackRunning(e);
        }
        _unwritten += decision.Events.Count;
        int remaining = decision.Events.Count;
        long handedOver = Stopwatch.GetTimestamp();
        PersistAllAsync(decision.Events, _ =>
        {
            _unwritten--;
            if (--remaining > 0) return;
            SupervisorMetrics.JournalWriteDuration.Record(Stopwatch.GetElapsedTime(handedOver).TotalSeconds, _sweepTag);
            SweepMetrics.Record(decision.Events, _sweepTag);
            // Only a state with nothing unwritten may be snapshotted: it then equals the journal up to LastSequenceNr.
            // A sweep that has just finished is snapshotted too: it is read often after that (results,
            // reports, recovery) and then starts from its final state, with no events to apply.
            if (_unwritten == 0 && _lastSnapshot != LastSequenceNr && (LastSequenceNr - _lastSnapshot >= SnapshotInterval || _state.Finished))
            {
                _lastSnapshot = LastSequenceNr;
                SaveSnapshot(_state);
            }
            after();
        });
    }

    /// <summary>Once a cancellation (by a user or a stop rule) is written, nodes checkpoint and hand back the runs still running.</summary>
    Action StopRunningRunsThen(string reason, Action after) => () =>
    {
        foreach (var group in _state.Runs.Values.Where(r => r.Status == RunStatus.Running).GroupBy(r => r.NodeId!))
            if (_nodes.TryGetValue(group.Key, out var node))
                node.Tell(new StopRuns(_state.SweepId, group.Select(r => r.Spec.RunId).ToImmutableList(), reason));
        after();
    };

    /// <summary>Keeps the index of running runs in step with an event, in O(1).</summary>
    void TrackRunning(ISweepEvent e)
    {
        string? runId = e switch
        {
            RunAssigned a => a.RunId,
            RunCompleted c => c.RunId,
            RunFailed f => f.RunId,
            RunRequeued r => r.RunId,
            RunPaused p => p.RunId,
            RunPruned p => p.RunId,
            _ => null,
        };
        if (e is SweepCancelled) return; // running runs stay running until their nodes hand them back
        if (runId is null) return;
        if (_state.Runs[runId].Status == RunStatus.Running) _lastHeard.TryAdd(runId, Stopwatch.GetTimestamp());
        else
        {
            _lastHeard.Remove(runId);
            _live.Remove(runId);
        }
    }

    void AfterWrites(Action action)
    {
        if (_unwritten == 0) action();
        else DeferAsync(action, _ => action());
    }

    /// <summary>
    /// Copies each exploit's donor checkpoint under the exploiting run before the exploit is
    /// persisted. The donor's checkpoint is its latest accepted one, which its node deletes only
    /// after a newer one is accepted here, so it exists while this actor decides. A copy that fails
    /// drops the exploit: the run goes on as it was, and says why.
    /// </summary>
    /// <summary>The suffix of the name PBT's copies of a run are kept under.</summary>
    public const string ExploitCopies = "~pbt";

    Decision CopyExploited(Decision decision)
    {
        if (!decision.Events.Any(e => e is RunExploited)) return decision;
        var events = ImmutableList.CreateBuilder<ISweepEvent>();
        var failed = new Dictionary<string, string>();
        foreach (var e in decision.Events)
        {
            if (e is RunExploited x)
            {
                try
                {
                    if (_checkpoints is null) throw new InvalidOperationException("this supervisor has no checkpoint store");
                    byte[] bytes = _checkpoints.Load(x.Donor.Reference);
                    // Kept apart from the run's own checkpoints: its node, told its pause was accepted, deletes those older than the
                    // pause, and the copy is often older. Its previous copy was needed only until it trained on from it.
                    string owner = x.RunId + ExploitCopies;
                    _checkpoints.DeleteOlder(x.SweepId, owner, long.MaxValue);
                    string copy = _checkpoints.Save(x.SweepId, owner, _state.Runs[x.RunId].Attempt + 1, x.Donor.Step, bytes);
                    events.Add(x with { Checkpoint = x.Donor with { Reference = copy } });
                }
                catch (Exception error)
                {
                    _log.Warning("Sweep {0}: run {1} could not copy {2}'s checkpoint at step {3} ({4}); it goes on without exploiting",
                        x.SweepId, x.RunId, x.DonorId, x.Donor.Step, error.Message);
                    failed[x.RunId] = $"could not copy {x.DonorId}'s checkpoint ({error.Message}): goes on";
                }
            }
            else if (e is RunPromoted p && failed.Remove(p.RunId, out var why)) events.Add(p with { Reason = why });
            else events.Add(e);
        }
        return decision with { Events = events.ToImmutable() };
    }

    void Changed(string? runId)
    {
        var summary = _state.Summary();
        if (!_state.Finished)
        {
            _finishAnnounced = false; // reopened by a promotion: it finishes (and is announced) again
            Timers.Cancel(nameof(ForgetMetrics));
        }
        Tell(_watchers, new SweepChanged(_state.SweepId, summary, runId ?? ""));
        ReportSummary();
        if (_state.Finished && !_finishAnnounced)
        {
            _finishAnnounced = true;
            Tell(_watchers, new SweepFinished(_state.SweepId, summary));
            Context.Parent.Tell(new SweepDone(_state.SweepId));
            // Its series stay long enough for a few scrapes to see the final counts, then go.
            Timers.StartSingleTimer(nameof(ForgetMetrics), ForgetMetrics.Instance, MetricsKeptAfterFinish);
        }
    }

    void ReportSummary()
    {
        if (_state.Definition is null) return;
        Context.Parent.Tell(new SweepSummaryChanged(_state.Summary()));
        var c = _state.Counts;
        SupervisorMetrics.PublishStates(_state.SweepId, new SupervisorMetrics.RunStates(c.Queued, c.Running, c.Completed, c.Failed, c.Cancelled, c.Paused, c.Pruned));
    }

    static void Tell(IEnumerable<IActorRef> targets, object message)
    {
        foreach (var t in targets) t.Tell(message);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "Could not persist {0} for {1} (seq {2}); the sweep actor restarts from its journal", @event.GetType().Name, PersistenceId, sequenceNr);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }
}
