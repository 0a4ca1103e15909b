using System.Diagnostics;
using ActorSweep.Tasks.Addition;
using ActorSweep.GpuNode.Training;

namespace ActorSweep.Tests.Training;

/// <summary>The trainer really learns: 3-digit addition to high exact match in well under a minute.</summary>
public sealed class LearningTests(ITestOutputHelper output)
{
    [Fact]
    public void Three_digit_addition_reaches_high_exact_match()
    {
        var run = new AdditionRun("learns-3-digit",
            new ModelOptions { DModel = 16, DFf = 64, Heads = 1 },
            new TrainingRecipe
            {
                PeakLearningRate = 0.01, BatchSize = 128, Steps = 1500, EvalDigits = 3, EvalEvery = 500, EvalSize = 200,
                Curriculum = [new CurriculumPhase(1, 3, 1500)],
            },
            Seed: 1);
        var clock = Stopwatch.StartNew();
        using var trainer = new Trainer(run);
        var untrained = Evaluator.Evaluate(trainer.Model, trainer.Data.Test.Take(500).ToList());
        while (!trainer.Finished) trainer.TrainStep();
        var trained = Evaluator.Evaluate(trainer.Model, trainer.Data.Test.Take(500).ToList());
        output.WriteLine($"exact match {untrained.ExactMatch:P1} -> {trained.ExactMatch:P1} in {clock.Elapsed.TotalSeconds:F1}s; " +
                         $"loss {trainer.History.Losses[0].Loss:F3} -> {trainer.History.Losses[^1].Loss:F4}");
        Assert.True(untrained.ExactMatch < 0.05, $"an untrained model should not add ({untrained.ExactMatch:P1})");
        Assert.True(trained.ExactMatch >= 0.95, $"exact match on held-out 3-digit pairs was {trained.ExactMatch:P1}");
    }
}
