using System.Collections.Immutable;

namespace ActorSweep.GpuNode.Training;

public sealed record LossPoint(long Step, float Loss, double LearningRate);

/// <summary>One evaluation: exact match on the validation pairs, and their teacher-forced loss (absent in checkpoints written before it was kept).</summary>
public sealed record ValidationPoint(long Step, double ExactMatch, double? Loss = null);

/// <summary>The curves of a run: training loss every LogEvery steps, validation exact match at each evaluation.</summary>
public sealed record TrainingHistory(ImmutableList<LossPoint> Losses, ImmutableList<ValidationPoint> Validations)
{
    public static TrainingHistory Empty { get; } = new([], []);

    public TrainingHistory WithLoss(long step, float loss, double learningRate) =>
        this with { Losses = Losses.Add(new LossPoint(step, loss, learningRate)) };

    public TrainingHistory WithValidation(long step, double exactMatch, double? loss = null) =>
        this with { Validations = Validations.Add(new ValidationPoint(step, exactMatch, loss)) };

    public ValidationPoint? BestValidation => Validations.Count == 0 ? null : Validations.MaxBy(v => v.ExactMatch);
}
