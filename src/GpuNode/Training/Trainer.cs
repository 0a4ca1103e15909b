using System.Diagnostics;
using ActorSweep.GpuNode.Addition;
using ActorSweep.Tasks.Addition;
using ActorSweep.GpuNode.Models;
using TorchSharp;
using F = TorchSharp.torch.nn.functional;

namespace ActorSweep.GpuNode.Training;

/// <summary>What one training step did.</summary>
public readonly record struct StepResult(long Step, float Loss, float GradientNorm, double LearningRate);

/// <summary>
/// Trains one model one step at a time. A training actor calls <see cref="TrainStep"/> once per
/// message, so each step runs on one thread inside its own dispose scope. Everything the next
/// step depends on (parameters, optimizer state, step count) is in <see cref="Checkpoint"/>;
/// the data of a step is a pure function of (seed, step).
/// </summary>
public sealed class Trainer : IDisposable
{
    readonly long[] _inputs, _targets;

    /// <param name="run">A validated definition: the task's schema (sweeps), the `train` command or a checkpoint's header checked it where it was read.</param>
    public Trainer(AdditionRun run)
    {
        Run = run;
        Format = run.Model.Format;
        Data = AdditionData.For(run);
        Model = new AdditionTransformer(run.Model, run.Seed);
        Optimizer = new FlatAdamW(Model.Parameters, run.Recipe);
        if (run.Recipe.UsesGrokfast) Filter = new GrokfastFilter(run.Recipe.GrokfastAlpha, run.Recipe.GrokfastLamb);
        _inputs = new long[run.Recipe.BatchSize * Format.FedLength];
        _targets = new long[run.Recipe.BatchSize * Format.AnswerLength];
    }

    public AdditionRun Run { get; }
    public AdditionFormat Format { get; }
    public AdditionData Data { get; }
    public AdditionTransformer Model { get; }
    public FlatAdamW Optimizer { get; }
    /// <summary>The Grokfast gradient filter, where the recipe uses one.</summary>
    public GrokfastFilter? Filter { get; }
    /// <summary>Steps completed; the next step trains on the data of this 0-based step.</summary>
    public long Step { get; private set; }
    public bool Finished => Step >= Run.Recipe.Steps;
    public TrainingHistory History { get; private set; } = TrainingHistory.Empty;
    /// <summary>Wall time spent in training steps and validations, across resumes.</summary>
    public double ElapsedSeconds { get; private set; }

    /// <summary>One optimizer step on the batch of step <see cref="Step"/>.</summary>
    public StepResult TrainStep()
    {
        if (Finished) throw new InvalidOperationException($"run '{Run.Name}' already finished its {Run.Recipe.Steps} steps");
        long started = Stopwatch.GetTimestamp();
        using var scope = torch.NewDisposeScope();
        int batch = Run.Recipe.BatchSize, answer = Format.AnswerLength;
        Data.FillTrainingBatch(Step, batch, _inputs, _targets);
        var idx = torch.tensor(_inputs, [batch, Format.FedLength]);                         // [B, T]
        var targets = torch.tensor(_targets, [batch * answer]);                             // [B·A]

        var hidden = Model.Hidden(idx, from: Format.FirstScoredPosition);                   // [B, A, d]: only scored positions
        var logits = Model.Logits(hidden).view(batch * answer, Format.VocabSize);           // [B·A, V]
        var loss = F.cross_entropy(logits, targets);                                        // masked mean over the answer

        Model.Parameters.ZeroGradients();
        loss.backward();
        Filter?.Apply(Model.Parameters.Gradients);
        double lr = Run.Recipe.LearningRate(Step);
        float gradientNorm = Optimizer.Step(lr, Run.Recipe.WeightDecayAt(Step));

        var result = new StepResult(Step, loss.item<float>(), gradientNorm, lr);
        Step++;
        if (Step % Run.Recipe.LogEvery == 0 || Finished)
            History = History.WithLoss(Step, result.Loss, lr);
        ElapsedSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
        return result;
    }

    /// <summary>Whether the seed's schedule evaluates after the step just completed.</summary>
    public bool EvaluationDue => Step % Run.Recipe.EvalEvery == 0 || Finished;

    /// <summary>Scores the first EvalSize validation pairs (exact match) and records it in the history.</summary>
    public double Validate()
    {
        long started = Stopwatch.GetTimestamp();
        var pairs = Data.Validation.Take(Run.Recipe.EvalSize).ToList();
        double exact = Evaluator.Evaluate(Model, pairs, failuresToKeep: 0).ExactMatch;
        History = History.WithValidation(Step, exact, ValidationLoss(pairs));
        ElapsedSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
        return exact;
    }

    /// <summary>
    /// The training loss on validation pairs (teacher-forced cross-entropy over the answer, no
    /// gradient): it keeps moving while exact match sits on a plateau, so schedulers can rank on it.
    /// </summary>
    double ValidationLoss(IReadOnlyList<(long A, long B)> pairs)
    {
        const int Chunk = 2000; // as evaluation batches: a large model's activations stay bounded
        using var noGrad = torch.no_grad();
        int fed = Format.FedLength, answer = Format.AnswerLength;
        double sum = 0;
        for (int start = 0; start < pairs.Count; start += Chunk)
        {
            using var scope = torch.NewDisposeScope();
            int n = Math.Min(Chunk, pairs.Count - start);
            var inputs = new long[n * fed];
            var targets = new long[n * answer];
            for (int i = 0; i < n; i++) Format.WriteExample(pairs[start + i].A, pairs[start + i].B, inputs.AsSpan(i * fed, fed), targets.AsSpan(i * answer, answer));
            var idx = torch.tensor(inputs, [n, fed]);                                          // [N, T]
            var hidden = Model.Hidden(idx, from: Format.FirstScoredPosition);                   // [N, A, d]
            var logits = Model.Logits(hidden).view(n * answer, Format.VocabSize);               // [N·A, V]
            sum += n * (double)F.cross_entropy(logits, torch.tensor(targets, [n * answer])).item<float>();
        }
        return pairs.Count == 0 ? double.NaN : sum / pairs.Count;
    }

    public TrainingCheckpoint Checkpoint() => TrainingCheckpoint.Capture(this);

    /// <summary>Continues from a checkpoint of the same run.</summary>
    /// <param name="adopted">The checkpoint is another run's (PBT): it must hold the same model; the recipe, name and seed are this run's from here on.</param>
    public void Restore(TrainingCheckpoint checkpoint, bool adopted = false)
    {
        if (adopted ? !(checkpoint.Run with { Name = Run.Name, Recipe = Run.Recipe, Seed = Run.Seed }).SameAs(Run) : !checkpoint.Run.SameAs(Run))
            throw new ArgumentException(adopted
                ? $"checkpoint of run '{checkpoint.Run.Name}' holds another model than run '{Run.Name}'; it cannot be adopted"
                : $"checkpoint of run '{checkpoint.Run.Name}' does not match run '{Run.Name}'");
        using (torch.no_grad())
        using (var values = torch.tensor(checkpoint.Parameters))
            Model.Parameters.Values.copy_(values);
        Optimizer.Restore(checkpoint.FirstMoment, checkpoint.SecondMoment, checkpoint.OptimizerUpdates);
        // An adopted checkpoint's filter average is the donor's gradient history: kept where this run filters too.
        Filter?.Restore(checkpoint.GrokfastAverage);
        Step = checkpoint.Step;
        History = checkpoint.History;
        ElapsedSeconds = checkpoint.ElapsedSeconds;
    }

    /// <summary>Builds a trainer positioned where the checkpoint left off (the one resume path: <see cref="Runs.AdditionSession"/> uses it).</summary>
    public static Trainer Resume(TrainingCheckpoint checkpoint, AdditionRun? expected = null, bool adopted = false)
    {
        var trainer = new Trainer(expected ?? checkpoint.Run);
        try { trainer.Restore(checkpoint, adopted); }
        catch
        {
            trainer.Dispose();
            throw;
        }
        return trainer;
    }

    public void Dispose()
    {
        Filter?.Dispose();
        Optimizer.Dispose();
        Model.Dispose();
    }
}
