using System.Diagnostics;
using ActorSweep.Messages.Results;
using ActorSweep.Messages.Runs;
using ActorSweep.Tasks;

namespace ActorSweep.GpuNode.Runs;

/// <summary>What one <see cref="RunLoop.Advance"/> did.</summary>
/// <param name="Checkpoint">The checkpoint the schedule put after this step, when it did.</param>
public readonly record struct StepOutcome(long Step, bool Validated, double StepSeconds, CheckpointInfo? Checkpoint, double CheckpointSeconds);

/// <summary>
/// The one training loop: start or resume a run, one step at a time, a checkpoint every
/// <see cref="RunDefinition.CheckpointEvery"/> steps, and at the end the final evaluation and the
/// trained model's checkpoint. The training actor drives it one step per message; `actorsweep
/// train` drives it in a plain loop. Both start and resume through <see cref="Start"/>, and only
/// the place checkpoints go differs (a checkpoint store, or a file).
/// </summary>
public sealed class RunLoop : IDisposable
{
    /// <summary>Stores a checkpoint of (step, bytes); returns its reference.</summary>
    public delegate string CheckpointSink(long step, byte[] checkpoint);

    readonly CheckpointSink _save;

    RunLoop(RunDefinition definition, IRunSession session, CheckpointSink save, CheckpointInfo? resumedFrom, double startSeconds)
    {
        Definition = definition;
        Session = session;
        _save = save;
        LastCheckpoint = resumedFrom;
        ComputeSeconds = startSeconds;
    }

    /// <summary>Builds the run, from <paramref name="checkpoint"/>'s bytes when resuming (then <paramref name="resumedFrom"/> says where it is stored, if known).</summary>
    public static RunLoop Start(RunDefinition definition, byte[]? checkpoint, CheckpointSink save, CheckpointInfo? resumedFrom = null, bool adopted = false)
    {
        long started = Stopwatch.GetTimestamp();
        var session = RunSessions.Start(definition, checkpoint, adopted); // building the model and its data is the task's work, not the runner's
        return new RunLoop(definition, session, save, resumedFrom, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    public RunDefinition Definition { get; }
    public IRunSession Session { get; }
    public bool Finished => Session.Finished;
    /// <summary>The newest checkpoint of this run: the one resumed from, or the last one written.</summary>
    public CheckpointInfo? LastCheckpoint { get; private set; }
    /// <summary>Time this loop spent in the task itself: building, training, evaluating (not checkpoints).</summary>
    public double ComputeSeconds { get; private set; }

    public StepOutcome Advance()
    {
        if (Finished) throw new InvalidOperationException($"run '{Definition.RunName}' already trained its {Session.TotalSteps} steps");
        long started = Stopwatch.GetTimestamp();
        bool validated = Session.TrainStep();
        double stepSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        ComputeSeconds += stepSeconds;
        // The last step's checkpoint is written by Finish, with the trained model.
        if (Session.Step % Definition.CheckpointEvery != 0 || Finished) return new(Session.Step, validated, stepSeconds, null, 0);
        started = Stopwatch.GetTimestamp();
        var checkpoint = SaveNow();
        return new(Session.Step, validated, stepSeconds, checkpoint, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>The metrics a checkpoint carries: what schedulers rank runs on.</summary>
    public static RunSummary Summary(IRunSession session) => new(session.LastLoss, session.LastValidation, session.LastValidationLoss);

    /// <summary>A checkpoint of where the run is now, unless the newest one already holds this step.</summary>
    public CheckpointInfo SaveNow()
    {
        if (LastCheckpoint is { } last && last.Step == Session.Step) return last;
        string reference = _save(Session.Step, Session.Checkpoint());
        LastCheckpoint = new CheckpointInfo(Session.Step, reference, Summary(Session));
        return LastCheckpoint;
    }

    /// <summary>
    /// The final evaluation, and the checkpoint of the trained model; call once <see cref="Finished"/>,
    /// or <paramref name="early"/> when a limit ends the run before its budget (a scheduler's
    /// max steps, or the sweep's target reached).
    /// </summary>
    public (RunReport Report, CheckpointInfo Checkpoint) Finish(bool early = false)
    {
        if (!Finished && !early) throw new InvalidOperationException($"run '{Definition.RunName}' is at step {Session.Step} of {Session.TotalSteps}");
        long started = Stopwatch.GetTimestamp();
        var report = Session.Finish();
        ComputeSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
        return (report, SaveNow());
    }

    public void Dispose() => Session.Dispose();
}
