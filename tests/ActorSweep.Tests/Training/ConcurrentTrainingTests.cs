using ActorSweep.GpuNode.Training;
using ActorSweep.Tasks.Addition;

namespace ActorSweep.Tests.Training;

/// <summary>
/// Two runs trained side by side while another thread keeps forcing garbage collections and
/// finalizers (what a busy node does to a training thread): every step must succeed and both runs
/// must end exactly where they end when trained alone. TorchSharp frees a temporary Scalar in its
/// finalizer, so a scalar that is not held while libtorch reads it fails or corrupts the step.
/// Each model option takes its own ops, so the seed's shape and the smallest adder's are both run.
/// </summary>
public sealed class ConcurrentTrainingTests
{
    /// <summary>
    /// The smallest adder's options (rotary positions, RMSNorm, a head wider than the model, tied V/O; or,
    /// for the moonshot's shapes, a SwiGLU FFN with k = v, the output tied to q and normed q and k) and the tuned recipe's
    /// (Grokfast, carry-heavy batches, fading weight decay).
    /// </summary>
    static AdditionRun SmallestAdder(AdditionRun run, bool moonshot) => run with
    {
        Model = run.Model with
        {
            DModel = 3, HeadWidth = 4, DFf = moonshot ? 2 : 6, Norm = NormKind.RmsNorm, Positions = PositionScheme.Rope, RopeBase = 3,
            ReversedOperands = true, TiedVo = !moonshot, TiedKv = moonshot, TiedOq = moonshot, QkNorm = moonshot, Ffn = moonshot ? FfnKind.SwiGlu : FfnKind.Gelu,
        },
        Recipe = run.Recipe with { GrokfastLamb = 2, CarryShare = 0.35, WeightDecay = 0.2, FinalWeightDecay = 0.01 },
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Runs_trained_side_by_side_under_constant_garbage_collection_end_bit_identical_to_runs_trained_alone(bool smallestAdder)
    {
        const int steps = 1000;
        var runs = new[] { CheckpointResumeTests.SmallRun() with { Seed = 1 }, CheckpointResumeTests.SmallRun() with { Seed = 2 } };
        if (smallestAdder) runs = runs.Select((run, i) => SmallestAdder(run, moonshot: i == 1)).ToArray();
        var alone = runs.Select(run => Train(run, steps)).ToArray();

        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }) { IsBackground = true };
        collector.Start();
        var results = new (float[] Parameters, double[] Validations)[runs.Length];
        var errors = new Exception?[runs.Length];
        var threads = runs.Select((run, i) => new Thread(() =>
        {
            try { results[i] = Train(run, steps); }
            catch (Exception e) { errors[i] = e; }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        stop.Cancel();
        collector.Join();

        Assert.All(errors, e => Assert.Null(e));
        for (int i = 0; i < runs.Length; i++)
        {
            Assert.Equal(alone[i].Parameters, results[i].Parameters);
            Assert.Equal(alone[i].Validations, results[i].Validations); // the evaluator's results too, not only that it did not throw
        }
    }

    static (float[] Parameters, double[] Validations) Train(AdditionRun run, int steps)
    {
        using var trainer = new Trainer(run with { Recipe = run.Recipe with { Steps = steps } });
        while (!trainer.Finished)
        {
            trainer.TrainStep();
            if (trainer.EvaluationDue) trainer.Validate(); // the evaluator's ops too
        }
        return (trainer.Checkpoint().Parameters, trainer.History.Validations.Select(v => v.ExactMatch).ToArray());
    }
}
