using System.Diagnostics;
using Akka.Actor;
using ActorSweep.GpuNode.Runs;
using ActorSweep.Hosting.Clustering;
using ActorSweep.Messages.Runs;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Messages.Work;
using ActorSweep.Telemetry.Metrics;

namespace ActorSweep.GpuNode.Node;

/// <summary>
/// Owns one run's <see cref="RunLoop"/> and advances it one step per message, on the node's
/// training dispatcher (one thread per slot), so several runs on a node never share a generator
/// or fight over a thread. It reports each checkpoint the loop writes, live progress, and at the
/// end the result. An exception stops it: its node agent reports the attempt failed, and the
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
    RunLoop? _loop;
    long _lastProgress;
    bool _validatedLast;

    public static Props Props(RunAssignment assignment, NodeSettings settings) =>
        Akka.Actor.Props.Create(() => new TrainingActor(assignment, settings)).WithDispatcher(DispatcherId);

    public TrainingActor(RunAssignment assignment, NodeSettings settings)
    {
        _assignment = assignment;
        _settings = settings;
        _nodeTag = NodeMetrics.Node(NodeIdentity.Label(settings.NodeId));
        Receive<Next>(_ => Advance());
        Receive<Release>(_ => HandBack());
    }

    RunSpec Run => _assignment.Run;

    protected override void PreStart()
    {
        byte[]? saved = _assignment.ResumeFrom is { } from ? _settings.Checkpoints.Load(from.Reference) : null;
        _loop = RunLoop.Start(Run.Definition, saved, Store, _assignment.ResumeFrom, _assignment.Adopted);
        Self.Tell(Next.Instance);
    }

    /// <summary>Checkpoints go to the node's store, under this attempt: an older attempt never overwrites them.</summary>
    string Store(long step, byte[] checkpoint)
    {
        long started = Stopwatch.GetTimestamp();
        string reference = _settings.Checkpoints.Save(_assignment.SweepId, Run.RunId, _assignment.Attempt, step, checkpoint);
        NodeMetrics.CheckpointDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _nodeTag);
        return reference;
    }

    void Advance()
    {
        var loop = _loop!;
        var limits = _assignment.Limits;
        if (loop.Finished || EndsEarly(loop, limits))
        {
            var (report, trained) = loop.Finish(early: !loop.Finished);
            Context.Parent.Tell(new Timing(_assignment.SweepId, Run.RunId, loop.ComputeSeconds));
            Context.Parent.Tell(new RunCompletedReport(_assignment.SweepId, Run.RunId, _assignment.Attempt, _settings.NodeId, 0, report, trained));
            Context.Stop(Self);
            return;
        }
        if (_settings.InjectFault?.Invoke(_assignment, loop.Session.Step) == true)
            throw new InjectedFaultException($"injected fault in run '{Run.RunId}' attempt {_assignment.Attempt} at step {loop.Session.Step}");

        if (limits?.PauseAt is { } pauseAt && loop.Session.Step >= pauseAt)
        {
            // A scheduler's rung: checkpoint here and free the slot; the supervisor decides whether the run goes on.
            Context.Parent.Tell(new Timing(_assignment.SweepId, Run.RunId, loop.ComputeSeconds));
            Context.Parent.Tell(new RunPausedReport(_assignment.SweepId, Run.RunId, _assignment.Attempt, _settings.NodeId, 0, loop.SaveNow()));
            Context.Stop(Self);
            return;
        }

        var step = loop.Advance();
        _validatedLast = step.Validated;
        NodeMetrics.Steps.Add(1, _nodeTag);
        NodeMetrics.StepDuration.Record(step.StepSeconds, _nodeTag);
        if (step.Checkpoint is { } checkpoint)
            Context.Parent.Tell(new RunCheckpointReport(_assignment.SweepId, Run.RunId, _assignment.Attempt, _settings.NodeId, 0, checkpoint));
        if (Stopwatch.GetElapsedTime(_lastProgress) >= _settings.ProgressInterval || loop.Finished)
        {
            _lastProgress = Stopwatch.GetTimestamp();
            var session = loop.Session;
            Context.Parent.Tell(new RunProgress(_assignment.SweepId, Run.RunId, _assignment.Attempt, _settings.NodeId,
                session.Step, session.TotalSteps, session.LastLoss, session.LastValidation));
        }
        Self.Tell(Next.Instance);
    }

    /// <summary>A limit ends the run before its budget: the scheduler's max steps, or an evaluation that reached the sweep's target.</summary>
    bool EndsEarly(RunLoop loop, RunLimits? limits) =>
        limits is not null && loop.Session.Step > 0
        && ((limits.FinishAt is { } finishAt && loop.Session.Step >= finishAt)
            || (_validatedLast && limits is { Goal: { } goal, Target: { } target }
                && goal.Reached(goal.Read(RunLoop.Summary(loop.Session)), target)));

    void HandBack()
    {
        var checkpoint = _loop!.SaveNow();
        Context.Parent.Tell(new RunReleasedReport(_assignment.SweepId, Run.RunId, _assignment.Attempt, _settings.NodeId, 0, checkpoint));
        Context.Stop(Self);
    }

    protected override void PostStop() => _loop?.Dispose();
}

/// <summary>A failure a test or drill asked for (see <see cref="NodeSettings.InjectFault"/>).</summary>
public sealed class InjectedFaultException(string message) : Exception(message);
