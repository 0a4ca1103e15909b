using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Persistence;
using ActorSweep.Hosting;
using ActorSweep.Hosting.Clustering;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Messages.Work;

namespace ActorSweep.Seed.Supervisor;

/// <summary>
/// The persistent sweep supervisor, hosted as a cluster singleton on role "seed". Its journal
/// ("sweep-supervisor") registers sweeps; each sweep is a <see cref="SweepActor"/> child with its
/// own journal. It routes node agents' work requests to sweeps with queued runs (oldest sweep
/// first), wakes waiting nodes when runs are queued, routes reports, and requeues the runs of
/// nodes that leave the cluster.
/// </summary>
public sealed class SweepSupervisor : ReceivePersistentActor, IWithTimers
{
    public const string JournalId = "sweep-supervisor";

    /// <summary>A stopped sweep actor's back-off has passed: start it again.</summary>
    sealed record RestartSweep(string SweepId);

    /// <summary>
    /// How long a sweep actor that stopped (its journal unreachable, say) waits before it starts
    /// again: 0.5 s, doubling per failure in a row, at most 30 s. A sweep actor that lived a
    /// minute starts the count again.
    /// </summary>
    public static TimeSpan RestartDelay(int failuresInARow) =>
        Backoff.Delay(failuresInARow, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(30));

    readonly ILoggingAdapter _log = Context.GetLogger();
    readonly int _snapshotEvery;
    readonly List<string> _order = [];                      // sweeps in registration order
    readonly Dictionary<string, string> _hashes = [];
    readonly HashSet<string> _closed = [];
    readonly Dictionary<string, IActorRef> _children = [];
    readonly Dictionary<string, SweepSummary> _summaries = [];
    readonly Dictionary<string, IActorRef> _waiting = [];   // nodes told "no work", by node id
    readonly Dictionary<string, (int Failures, DateTime Started)> _lives = [];  // per sweep actor: failures in a row, when it last started
    readonly HashSet<string> _backingOff = [];               // stopped sweep actors waiting for their restart
    ImmutableHashSet<string>? _liveNodes;                   // null until the cluster's state arrives

    /// <param name="checkpoints">The runs' checkpoint store, for PBT's copies (see <see cref="SweepActor"/>).</param>
    public static Props Props(int snapshotEvery = 200, ActorSweep.Hosting.Storage.ICheckpointStore? checkpoints = null) =>
        Akka.Actor.Props.Create(() => new SweepSupervisor(snapshotEvery, checkpoints));

    readonly ActorSweep.Hosting.Storage.ICheckpointStore? _checkpoints;

    public SweepSupervisor(int snapshotEvery, ActorSweep.Hosting.Storage.ICheckpointStore? checkpoints)
    {
        _checkpoints = checkpoints;
        _snapshotEvery = snapshotEvery;
        Recover<SweepRegistered>(Register);
        Recover<SweepClosed>(c =>
        {
            _closed.Add(c.SweepId);
            if (c.Summary is not null) _summaries[c.SweepId] = c.Summary;
        });
        Recover<SweepReopened>(c => _closed.Remove(c.SweepId));
        Recover<RecoveryCompleted>(_ =>
        {
            // Finished sweeps stay passive (their summary was journaled with SweepClosed): a
            // supervisor with a long history recovers in the time its open sweeps take.
            foreach (var id in _order.Where(id => !_closed.Contains(id) || !_summaries.ContainsKey(id))) Child(id);
            Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
                typeof(ClusterEvent.IMemberEvent));
        });

        Command<SubmitSweep>(Submit);
        Command<RequestWork>(r => RouteWork(r, Sender, []));
        Command<NothingFits>(n => RouteWork(n.Request, n.Node, n.Tried));
        Command<IRunReport>(report =>
        {
            // A known sweep whose actor is backing off drops the report unacknowledged: the node sends it again.
            if (_hashes.ContainsKey(report.SweepId)) Child(report.SweepId).Forward(report);
            else
            {
                _log.Warning("Report {0} for unknown sweep '{1}' acknowledged and ignored", report.GetType().Name, report.SweepId);
                Sender.Tell(new ReportAck(report.NodeId, report.ReportId, Accepted: false));
            }
        });
        Command<RunProgress>(p => { if (_children.TryGetValue(p.SweepId, out var child)) child.Forward(p); });
        Command<GetSweepState>(q => ToSweep(q.SweepId, q, () => new SweepStateReply(q.SweepId, null)));
        Command<WatchSweep>(q => ToSweep(q.SweepId, q, () => new SweepStateReply(q.SweepId, null)));
        Command<UnwatchSweep>(q => { if (_children.TryGetValue(q.SweepId, out var child)) child.Forward(q); });
        Command<CancelSweep>(q => ToSweep(q.SweepId, q, () => new SweepRejected(q.SweepId, $"no sweep named '{q.SweepId}'")));
        Command<PromoteRun>(q => ToSweep(q.SweepId, q, () => new SweepRejected(q.SweepId, $"no sweep named '{q.SweepId}'")));
        Command<ListSweeps>(_ => Sender.Tell(new SweepList(_order.Where(_summaries.ContainsKey).Select(id => _summaries[id]).ToImmutableList())));

        Command<SweepSummaryChanged>(c =>
        {
            _summaries[c.Summary.SweepId] = c.Summary;
            if (!c.Summary.Finished && _closed.Contains(c.Summary.SweepId))
                Persist(new SweepReopened(c.Summary.SweepId), e => _closed.Remove(e.SweepId));
            if (c.Summary.Queued > 0) WakeWaitingNodes($"sweep '{c.Summary.SweepId}' has {c.Summary.Queued} queued runs");
        });
        Command<NodeWaiting>(w => _waiting[w.NodeId] = w.Node);
        Command<SweepDone>(d =>
        {
            if (!_closed.Contains(d.SweepId)) Persist(new SweepClosed(d.SweepId, _summaries.GetValueOrDefault(d.SweepId)), c => _closed.Add(c.SweepId));
        });

        Command<ClusterEvent.CurrentClusterState>(state =>
        {
            _liveNodes = state.Members.Where(IsAlive).Select(m => NodeIdentity.Of(m.UniqueAddress)).ToImmutableHashSet();
            foreach (var child in _children.Values) child.Tell(new Reconcile(_liveNodes));
        });
        Command<ClusterEvent.IMemberEvent>(OnMemberEvent);
        Command<Terminated>(t =>
        {
            var id = _children.FirstOrDefault(c => c.Value.Equals(t.ActorRef)).Key;
            if (id is null) return;
            _children.Remove(id);
            var life = _lives.GetValueOrDefault(id);
            int failures = DateTime.UtcNow - life.Started > TimeSpan.FromMinutes(1) ? 1 : life.Failures + 1;
            _lives[id] = (failures, life.Started);
            var delay = RestartDelay(failures);
            // One line per back-off step, not per message: a journal outage must not flood the log.
            _log.Warning("Sweep actor '{0}' stopped ({1} time(s) in a row); starting it again from its journal in {2:F1} s", id, failures, delay.TotalSeconds);
            _backingOff.Add(id);
            Timers.StartSingleTimer("restart-" + id, new RestartSweep(id), delay);
        });
        Command<RestartSweep>(r =>
        {
            _backingOff.Remove(r.SweepId);
            Child(r.SweepId);
        });
    }

    public override string PersistenceId => JournalId;

    public ITimerScheduler Timers { get; set; } = null!;

    void Register(SweepRegistered registered)
    {
        if (!_hashes.ContainsKey(registered.SweepId)) _order.Add(registered.SweepId);
        _hashes[registered.SweepId] = registered.Hash;
    }

    void Submit(SubmitSweep submit)
    {
        var definition = submit.Definition;
        if (_hashes.ContainsKey(definition.SweepId))
        {
            Child(definition.SweepId).Forward(submit); // the sweep actor accepts the same contents and refuses others
            return;
        }
        var requester = Sender;
        Persist(new SweepRegistered(definition.SweepId, definition.Hash), e =>
        {
            Register(e);
            Child(e.SweepId).Tell(submit, requester);
        });
    }

    /// <summary>
    /// To the oldest sweep with queued runs not yet tried for this request (a node whose model bound none of a sweep's runs fit tries the next),
    /// among the sweeps the node takes.
    /// </summary>
    void RouteWork(RequestWork request, IActorRef node, ImmutableHashSet<string> tried)
    {
        var sweep = _order.FirstOrDefault(id => !tried.Contains(id) && (request.OnlySweeps is not { } only || only.Contains(id))
                                                && _summaries.TryGetValue(id, out var s) && s.Queued > 0);
        if (sweep is null)
        {
            _waiting[request.NodeId] = node;
            node.Tell(new NoWork(request.NodeId));
            return;
        }
        _waiting.Remove(request.NodeId);
        if (tried.IsEmpty) Child(sweep).Forward(request);
        else Child(sweep).Tell(new RetriedRequest(request, tried), node);
    }

    void ToSweep(string sweepId, object message, Func<object> whenUnknown)
    {
        if (_hashes.ContainsKey(sweepId)) Child(sweepId).Forward(message);
        else Sender.Tell(whenUnknown());
    }

    void WakeWaitingNodes(string reason)
    {
        if (_waiting.Count == 0) return;
        foreach (var node in _waiting.Values) node.Tell(new WorkAvailable(reason));
        _waiting.Clear();
    }

    void OnMemberEvent(ClusterEvent.IMemberEvent e)
    {
        string id = NodeIdentity.Of(e.Member.UniqueAddress);
        if (_liveNodes is null) return; // the initial state is still coming
        // Downed is final (the node is removed next and a downed process shuts itself down), so
        // its runs are requeued at once; a late report from it is fenced by its attempt number.
        if (e is ClusterEvent.MemberDowned or ClusterEvent.MemberRemoved)
        {
            if (!_liveNodes.Contains(id)) return;
            _liveNodes = _liveNodes.Remove(id);
            _waiting.Remove(id);
            _log.Info("Node {0} is {1}; its runs go back to the queue", id, e is ClusterEvent.MemberDowned ? "down" : "removed");
            foreach (var child in _children.Values) child.Tell(new Reconcile(_liveNodes));
        }
        else if (IsAlive(e.Member)) _liveNodes = _liveNodes.Add(id);
    }

    static bool IsAlive(Member m) => m.Status is not (MemberStatus.Removed or MemberStatus.Down);

    /// <summary>The sweep's actor, started if need be; while it backs off, messages to it are dropped (nodes resend reports and ask again for work).</summary>
    IActorRef Child(string sweepId)
    {
        if (_children.TryGetValue(sweepId, out var child)) return child;
        if (_backingOff.Contains(sweepId)) return Context.System.DeadLetters;
        _lives[sweepId] = (_lives.GetValueOrDefault(sweepId).Failures, DateTime.UtcNow);
        child = Context.ActorOf(SweepActor.Props(sweepId, _snapshotEvery, _checkpoints), Uri.EscapeDataString(sweepId));
        Context.Watch(child);
        _children[sweepId] = child;
        if (_liveNodes is not null && !_closed.Contains(sweepId)) child.Tell(new Reconcile(_liveNodes));
        return child;
    }
}
