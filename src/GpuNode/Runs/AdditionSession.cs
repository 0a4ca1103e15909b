using ActorSweep.GpuNode.Training;
using ActorSweep.Tasks.Addition;
using ActorSweep.Messages.Results;

namespace ActorSweep.GpuNode.Runs;

/// <summary>The addition task's session: a <see cref="Training.Trainer"/> stepped by the run loop.</summary>
public sealed class AdditionSession : IRunSession
{
    AdditionSession(Trainer trainer)
    {
        Trainer = trainer;
        LastLoss = trainer.History.Losses.LastOrDefault()?.Loss;
    }

    public static AdditionSession Start(AdditionRun run, byte[]? checkpoint, bool adopted = false)
    {
        var trainer = checkpoint is null
            ? new Trainer(run)
            : Trainer.Resume(TrainingCheckpoint.FromBytes(checkpoint, $"checkpoint of run '{run.Name}'"), expected: run, adopted);
        return new AdditionSession(trainer);
    }

    /// <summary>The trainer itself, for callers that show its curves (the `train` command's metrics.csv).</summary>
    public Trainer Trainer { get; }

    public long Step => Trainer.Step;
    public long TotalSteps => Trainer.Run.Recipe.Steps;
    /// <summary>The loss of the last step trained (the history keeps only every log_every-th).</summary>
    public double? LastLoss { get; private set; }
    public double? LastValidation => Trainer.History.Validations.LastOrDefault()?.ExactMatch;
    public double? LastValidationLoss => Trainer.History.Validations.LastOrDefault()?.Loss;
    public double ComputeSeconds => Trainer.ElapsedSeconds;

    public bool TrainStep()
    {
        LastLoss = Trainer.TrainStep().Loss;
        if (!Trainer.EvaluationDue) return false;
        Trainer.Validate();
        return true;
    }

    public byte[] Checkpoint() => Trainer.Checkpoint().ToBytes();

    public RunReport Finish() => RunReports.Evaluate(Trainer, Trainer.ElapsedSeconds).Report;

    public void Dispose() => Trainer.Dispose();
}
