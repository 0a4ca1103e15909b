using System.Diagnostics;
using Akka.Actor;
using Akka.Actor.Internal;
using Akka.Event;
using ActorSweep.Messages.Work;
using ActorSweep.Telemetry.Metrics;
using ActorSweep.Hosting;
using ActorSweep.Hosting.Clustering;

namespace ActorSweep.GpuNode.Node;

/// <summary>
/// One per worker node. It pulls runs from the supervisor whenever it has free slots, starts a
/// supervised <see cref="TrainingActor"/> per run, and relays their reports at least once
/// (resending until acknowledged). A training actor that throws is stopped and its attempt
/// reported failed. <see cref="Drain"/> checkpoints and hands back every run before shutdown.
/// </summary>
public sealed class NodeAgent : ReceiveActor, IWithTimers
{
    /// <summary>Checkpoint and release every run, then answer <see cref="Drained"/> once the supervisor has them.</summary>
    public sealed record Drain;
    public sealed record Drained(int Released);
    /// <summary>Asks for <see cref="NodeStats"/>.</summary>
    public sealed record GetStats;
    /// <summary>Slot use so far: busy seconds per finished attempt and the compute part of it; reports not yet acknowledged.</summary>
    public sealed record NodeStats(int Slots, int Busy, int Completed, double BusySeconds, double ComputeSeconds, int Unacknowledged);

    sealed record ResendTick;
    sealed record IdleTick;
    sealed record Running(RunAssignment Assignment, long Started)
    {
        public bool Ended { get; set; }
        public double ComputeSeconds { get; set; }
    }

    readonly ILoggingAdapter _log = Context.GetLogger();
    readonly NodeSettings _settings;
    readonly string _nodeLabel;
    readonly IActorRef _supervisor;
    readonly Dictionary<IActorRef, Running> _running = [];
    readonly Dictionary<IActorRef, Exception> _crashes = [];
    readonly SortedDictionary<long, (IRunReport Report, long SentAt)> _pending = [];
    long _nextReportId;
    long _requestedAt = -1;
    int _storageFailures;                                   // checkpoint-store outages in a row
    long _pausedUntil;                                      // no work is asked for before this (an outage's back-off)
    IActorRef? _drainRequester;
    bool _draining;
    int _released, _completed;
    double _busySeconds, _computeSeconds;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NodeSettings settings, IActorRef supervisor) =>
        Akka.Actor.Props.Create(() => new NodeAgent(settings, supervisor));

    public NodeAgent(NodeSettings settings, IActorRef supervisor)
    {
        _settings = settings;
        _nodeLabel = NodeIdentity.Label(settings.NodeId);
        _supervisor = supervisor;

        Receive<AssignRuns>(assign =>
        {
            _requestedAt = -1;
            foreach (var run in assign.Runs)
                if (_draining) HandBackUnstarted(run); // answered after the drain began: never start it
                else Start(run);
            RequestWorkIfFree();
            CheckDrained();
        });
        Receive<NoWork>(_ =>
        {
            _requestedAt = -1;
            CheckDrained();
        });
        Receive<WorkAvailable>(_ => RequestWorkIfFree());
        Receive<IRunReport>(report => Relay(report));
        Receive<RunProgress>(progress =>
        {
            RunMetrics.Publish(progress.SweepId, progress.RunId, progress.Attempt, _nodeLabel, progress.Step, progress.Loss, progress.ValidationExactMatch);
            _supervisor.Tell(progress);
        });
        Receive<TrainingActor.Timing>(timing =>
        {
            if (_running.TryGetValue(Sender, out var run)) run.ComputeSeconds = timing.ComputeSeconds;
        });
        Receive<ReportAck>(ack =>
        {
            if (_pending.Remove(ack.ReportId, out var sent) && ack.Accepted)
            {
                PruneOlderThan(sent.Report);
                if (sent.Report is RunCheckpointReport) _storageFailures = 0; // the store works again
            }
            CheckDrained();
        });
        Receive<Terminated>(t => Ended(t.ActorRef));
        Receive<StopRuns>(stop =>
        {
            foreach (var (child, run) in _running)
                if (run.Assignment.SweepId == stop.SweepId && stop.RunIds.Contains(run.Assignment.Run.RunId))
                    child.Tell(new TrainingActor.Release(stop.Reason));
        });
        Receive<Drain>(_ =>
        {
            _draining = true;
            _drainRequester = Sender;
            foreach (var child in _running.Keys) child.Tell(new TrainingActor.Release("node is draining"));
            CheckDrained();
        });
        Receive<GetStats>(_ => Sender.Tell(new NodeStats(_settings.Slots, _running.Count, _completed, _busySeconds, _computeSeconds, _pending.Count)));
        Receive<ResendTick>(_ => Resend());
        Receive<IdleTick>(_ =>
        {
            // A request that got no answer (the supervisor moved, or the reply was lost) is asked again.
            if (_requestedAt >= 0 && Stopwatch.GetElapsedTime(_requestedAt) > _settings.IdleRetryInterval) _requestedAt = -1;
            RequestWorkIfFree();
            CheckDrained();
        });
    }

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("resend", new ResendTick(), _settings.ResendInterval);
        Timers.StartPeriodicTimer("idle", new IdleTick(), _settings.IdleRetryInterval);
        PublishSlots();
        RequestWorkIfFree();
    }

    protected override void PostStop() => NodeMetrics.Forget(_nodeLabel);

    void PublishSlots() => NodeMetrics.PublishSlots(_nodeLabel, _settings.Slots, _running.Count);

    /// <summary>
    /// What went wrong, at its root: Akka wraps a failure while a training actor starts in an
    /// ActorInitializationException ("Exception during creation"), which hides the cause.
    /// </summary>
    internal static string RootCause(Exception e)
    {
        var root = e.GetBaseException();
        return $"{root.GetType().Name}: {root.Message}";
    }

    /// <summary>
    /// A failure of the checkpoint database (PostgreSQL or SQLite unreachable, locked, failing), not
    /// of the run: the run is handed back without using a retry, and the node waits before asking
    /// for work again. A checkpoint directory's errors stay the run's (they are as likely a wrong
    /// path as an outage).
    /// </summary>
    internal static bool IsStorageOutage(Exception e)
    {
        // The database's exception wraps the socket's, so look along the whole chain.
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is System.Data.Common.DbException) return true;
        return false;
    }

    /// <summary>How long a node waits for work after storage outages in a row: 1 s, doubling, at most 30 s.</summary>
    public static TimeSpan OutageBackoff(int failuresInARow) =>
        Backoff.Delay(failuresInARow, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    protected override SupervisorStrategy SupervisorStrategy() =>
        new StopAndRemember((child, cause) => _crashes[child] = cause);

    void RequestWorkIfFree()
    {
        int free = _settings.Slots - _running.Count;
        if (free <= 0 || _requestedAt >= 0 || _draining || Stopwatch.GetTimestamp() < _pausedUntil) return;
        _requestedAt = Stopwatch.GetTimestamp();
        _supervisor.Tell(new RequestWork(_settings.NodeId, free, _settings.Device, _settings.MaxParameters, _settings.OnlySweeps));
    }

    void Start(RunAssignment assignment)
    {
        string name = $"run-{Uri.EscapeDataString(assignment.SweepId)}-{Uri.EscapeDataString(assignment.Run.RunId)}-a{assignment.Attempt}";
        var child = Context.ActorOf(TrainingActor.Props(assignment, _settings), name);
        Context.Watch(child);
        _running[child] = new Running(assignment, Stopwatch.GetTimestamp());
        PublishSlots();
        _log.Info("Started {0}/{1} attempt {2}{3}", assignment.SweepId, assignment.Run.RunId, assignment.Attempt,
            assignment.ResumeFrom is { } from ? $" from the checkpoint at step {from.Step}" : "");
    }

    /// <summary>Gives an assignment back untouched, resuming point and all.</summary>
    void HandBackUnstarted(RunAssignment assignment)
    {
        _released++;
        Relay(new RunReleasedReport(assignment.SweepId, assignment.Run.RunId, assignment.Attempt, _settings.NodeId, 0, assignment.ResumeFrom));
    }

    void Relay(IRunReport report)
    {
        long id = ++_nextReportId;
        IRunReport numbered = report switch
        {
            RunCheckpointReport r => r with { ReportId = id },
            RunCompletedReport r => r with { ReportId = id },
            RunFailedReport r => r with { ReportId = id },
            RunReleasedReport r => r with { ReportId = id },
            RunPausedReport r => r with { ReportId = id },
            _ => throw new ArgumentException($"unknown report {report.GetType().Name}"),
        };
        if (report is RunCompletedReport or RunReleasedReport or RunPausedReport && _running.TryGetValue(Sender, out var run))
        {
            run.Ended = true;
            if (report is RunReleasedReport) _released++;
        }
        _pending[id] = (numbered, Stopwatch.GetTimestamp());
        _supervisor.Tell(numbered);
    }

    void Ended(IActorRef child)
    {
        if (!_running.Remove(child, out var run)) return;
        PublishSlots();
        RunMetrics.Forget(run.Assignment.SweepId, run.Assignment.Run.RunId);
        _busySeconds += Stopwatch.GetElapsedTime(run.Started).TotalSeconds;
        _computeSeconds += run.ComputeSeconds;
        var a = run.Assignment;
        var cause = _crashes.Remove(child, out var crash) ? crash : null;
        if (!run.Ended && cause is not null && IsStorageOutage(cause))
        {
            var wait = OutageBackoff(++_storageFailures);
            _pausedUntil = Stopwatch.GetTimestamp() + (long)(wait.TotalSeconds * Stopwatch.Frequency);
            Timers.StartSingleTimer("outage", new IdleTick(), wait);
            _log.Warning("Checkpoint store unavailable ({0}); run {1}/{2} handed back without using a retry; asking for work again in {3:F0} s",
                RootCause(cause), a.SweepId, a.Run.RunId, wait.TotalSeconds);
            _released++;
            // No checkpoint: the supervisor resumes the run from the last one it accepted.
            Relay(new RunReleasedReport(a.SweepId, a.Run.RunId, a.Attempt, _settings.NodeId, 0, null));
        }
        else if (!run.Ended)
        {
            string error = cause is not null ? RootCause(cause) : "training actor stopped unexpectedly";
            _log.Warning("Run {0}/{1} attempt {2} failed: {3}", a.SweepId, a.Run.RunId, a.Attempt, error);
            Relay(new RunFailedReport(a.SweepId, a.Run.RunId, a.Attempt, _settings.NodeId, 0, error));
        }
        else
        {
            _completed++;
            _storageFailures = 0;
        }
        RequestWorkIfFree();
        CheckDrained();
    }

    /// <summary>Once the supervisor accepted a checkpoint, it never resumes the run from an older one: those can go.</summary>
    void PruneOlderThan(IRunReport accepted)
    {
        var checkpoint = accepted switch
        {
            RunCheckpointReport c => c.Checkpoint,
            RunReleasedReport r => r.Checkpoint,
            RunPausedReport p => p.Checkpoint,
            RunCompletedReport c => c.Checkpoint,
            _ => null,
        };
        if (checkpoint is null) return;
        try { _settings.Checkpoints.DeleteOlder(accepted.SweepId, accepted.RunId, checkpoint.Step); }
        catch (Exception e) { _log.Warning("Could not prune old checkpoints of {0}/{1}: {2}", accepted.SweepId, accepted.RunId, e.Message); }
    }

    void Resend()
    {
        foreach (var (id, (report, sentAt)) in _pending.ToList())
            if (Stopwatch.GetElapsedTime(sentAt) >= _settings.ResendInterval)
            {
                _pending[id] = (report, Stopwatch.GetTimestamp());
                _supervisor.Tell(report);
            }
    }

    /// <summary>Drained: no run in a slot, no report unacknowledged, and no work request that could still be answered.</summary>
    void CheckDrained()
    {
        if (_drainRequester is null || _running.Count > 0 || _pending.Count > 0 || _requestedAt >= 0) return;
        _drainRequester.Tell(new Drained(_released));
        _drainRequester = null;
    }

    /// <summary>Stops a failing training actor and remembers why, for the failure report.</summary>
    sealed class StopAndRemember(Action<IActorRef, Exception> remember) : OneForOneStrategy(_ => Directive.Stop)
    {
        public override void ProcessFailure(IActorContext context, bool restart, IActorRef child, Exception cause,
                                            ChildRestartStats stats, IReadOnlyCollection<ChildRestartStats> children)
        {
            remember(child, cause);
            base.ProcessFailure(context, restart, child, cause, stats, children);
        }
    }
}
