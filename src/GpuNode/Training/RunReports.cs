using ActorSweep.Messages.Results;

namespace ActorSweep.GpuNode.Training;

/// <summary>Scores a trained model the seed's way and builds its <see cref="RunReport"/>.</summary>
public static class RunReports
{
    /// <summary>
    /// Final evaluation as in the seed: the final weights on all validation pairs and on the
    /// held-out test set (10,000 pairs), keeping at least <paramref name="failuresToKeep"/> failures.
    /// </summary>
    public static (RunReport Report, EvaluationResult Test) Evaluate(Trainer trainer, double trainSeconds, int failuresToKeep = 25)
    {
        var validation = Evaluator.Evaluate(trainer.Model, trainer.Data.Validation, failuresToKeep: 0);
        var test = Evaluator.Evaluate(trainer.Model, trainer.Data.Test, failuresToKeep);
        var best = trainer.History.BestValidation;
        var lastLoss = trainer.History.Losses.Count > 0 ? trainer.History.Losses[^1].Loss : float.NaN;
        var report = new RunReport(
            trainer.Run.Name, trainer.Model.Options.ParameterCount, trainer.Step, trainer.Run.Seed, lastLoss,
            test.ExactMatch, test.PerDigitAccuracy,
            test.Failures.Select(f => f.ToReport()).ToList(),
            test.Count, validation.ExactMatch, best?.ExactMatch, best?.Step, trainSeconds,
            trainer.History.Losses.Select(l => new CurvePoint(l.Step, l.Loss)).ToList(),
            trainer.History.Validations.Select(v => new CurvePoint(v.Step, v.ExactMatch)).ToList());
        return (report, test);
    }
}
