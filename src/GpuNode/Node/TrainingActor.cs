using System.Diagnostics;
using Akka.Actor;
using ActorSweep.GpuNode.Tasks;
using ActorSweep.Messages.Runs;
using ActorSweep.Messages.Work;
using ActorSweep.Telemetry.Metrics;

namespace ActorSweep.GpuNode.Node;

/// <summary>
/// Owns one run's model and trains it one step per message, on the node's training dispatcher
/// (one thread per slot), so several runs on a node never share a generator or fight over a
/// thread. Every
/// checkpoint_every steps it stores a checkpoint and reports it; at the end it evaluates and
/// reports the result. An exception stops it: its node agent reports the attempt failed, and the
/// supervisor retries the run from its last checkpoint.
/// </summary>
public sealed class TrainingActor : ReceiveActor
{
    public const string DispatcherId = "actorsweep.training-dispatcher";

    /// <summary>Checkpoint now, hand the run back and stop (the node is draining or the sweep was cancelled).</summary>
    public sealed record Release(string Reason);

    /// <summary>Time this attempt spent in the task itself (building, training, evaluating), sent to the node agent before the final report.</summary>
    public sealed record Timing(string SweepId, string RunId, double ComputeSeconds);

    sealed record Next
    {
        public static readonly Next Instance = new();
    }

    readonly RunAssignment _assignment;
    readonly NodeSettings _settings;
    readonly KeyValuePair<string, object?> _nodeTag;
    IRunSession? _session;
    CheckpointInfo? _checkpoint;
    long _lastProgress;
    double _computeSeconds;

    public static Props Props(RunAssignment assignment, NodeSettings settings) =>
        Akka.Actor.Props.Create(() => new TrainingActor(assignment, settings)).WithDispatcher(DispatcherId);

    public TrainingActor(RunAssignment assignment, NodeSettings settings)
    {
        _assignment = assignment;
        _settings = settings;
        _nodeTag = NodeMetrics.Node(NodeIdentity.Label(settings.NodeId));
        _checkpoint = assignment.ResumeFrom;
        Receive<Next>(_ => Advance());
        Receive<Release>(_ => HandBack());
    }

    RunSpec Run => _assignment.Run;

    protected override void PreStart()
    {
        byte[]? saved = _assignment.ResumeFrom is { } from ? _settings.Checkpoints.Load(from.Reference) : null;
        long started = Stopwatch.GetTimestamp();
        _session = RunTasks.Start(Run, saved); // building the model and its data is the task's work, not the runner's
        _computeSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
        Self.Tell(Next.Instance);
    }

    void Advance()
    {
        var session = _session!;
        long started = Stopwatch.GetTimestamp();
        if (session.Finished)
        {
            var report = session.Finish();
            _computeSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
            var trained = _checkpoint?.Step == session.Step ? _checkpoint : SaveCheckpoint();
            Context.Parent.Tell(new Timing(_assignment.SweepId, Run.RunId, _computeSeconds));
            Context.Parent.Tell(new RunCompletedReport(_assignment.SweepId, Run.RunId, _assignment.Attempt, _settings.NodeId, 0, report, trained));
            Context.Stop(Self);
            return;
        }
        if (_settings.InjectFault?.Invoke(_assignment, session.Step) == true)
            throw new InjectedFaultException($"injected fault in run '{Run.RunId}' attempt {_assignment.Attempt} at step {session.Step}");

        session.TrainStep();
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        _computeSeconds += seconds;
        NodeMetrics.Steps.Add(1, _nodeTag);
        NodeMetrics.StepDuration.Record(seconds, _nodeTag);
        if (session.Step % session.CheckpointEvery == 0 && !session.Finished)
            Context.Parent.Tell(new RunCheckpointReport(_assignment.SweepId, Run.RunId, _assignment.Attempt, _settings.NodeId, 0, SaveCheckpoint()));
        if (Stopwatch.GetElapsedTime(_lastProgress) >= _settings.ProgressInterval || session.Finished)
        {
            _lastProgress = Stopwatch.GetTimestamp();
            Context.Parent.Tell(new RunProgress(_assignment.SweepId, Run.RunId, _assignment.Attempt, _settings.NodeId,
                session.Step, session.TotalSteps, session.LastLoss, session.LastValidation));
        }
        Self.Tell(Next.Instance);
    }

    void HandBack()
    {
        var session = _session!;
        if (_checkpoint is null || session.Step > _checkpoint.Step) SaveCheckpoint();
        Context.Parent.Tell(new RunReleasedReport(_assignment.SweepId, Run.RunId, _assignment.Attempt, _settings.NodeId, 0, _checkpoint));
        Context.Stop(Self);
    }

    CheckpointInfo SaveCheckpoint()
    {
        var session = _session!;
        long started = Stopwatch.GetTimestamp();
        string reference = _settings.Checkpoints.Save(_assignment.SweepId, Run.RunId, _assignment.Attempt, session.Step, session.Checkpoint());
        NodeMetrics.CheckpointDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _nodeTag);
        _checkpoint = new CheckpointInfo(session.Step, reference, new RunSummary(session.LastLoss, session.LastValidation));
        return _checkpoint;
    }

    protected override void PostStop() => _session?.Dispose();
}

/// <summary>A failure a test or drill asked for (see <see cref="NodeSettings.InjectFault"/>).</summary>
public sealed class InjectedFaultException(string message) : Exception(message);
