using ActorSweep.Tasks.Addition;
using ActorSweep.GpuNode.Training;

namespace ActorSweep.Tests.Training;

/// <summary>A run resumed from a checkpoint file ends bit-identical to an uninterrupted one.</summary>
public sealed class CheckpointResumeTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("actorsweep-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static AdditionRun SmallRun(string name = "resume-test") => new(name,
        new ModelOptions { DModel = 8, DFf = 16, FfnBias = false, TiedEmbeddings = true },
        new TrainingRecipe
        {
            PeakLearningRate = 0.01, BatchSize = 64, Steps = 60, EvalEvery = 20, EvalSize = 50, LogEvery = 10,
            Curriculum = [new CurriculumPhase(1, 3, 20), new CurriculumPhase(1, 10, 40)],
        },
        Seed: 9);

    static void TrainUntil(Trainer trainer, long step)
    {
        while (trainer.Step < step)
        {
            trainer.TrainStep();
            if (trainer.EvaluationDue) trainer.Validate();
        }
    }

    /// <summary>The checkpoint's bytes without the wall time, which legitimately differs.</summary>
    static byte[] Fingerprint(Trainer trainer) => (trainer.Checkpoint() with { ElapsedSeconds = 0 }).ToBytes();

    /// <summary>
    /// PBT's exploit on the node: a run adopts another run's checkpoint of the same model. Its weights
    /// and optimizer state are the donor's, byte for byte, at the donor's step (not its own stale
    /// ones), and it trains on under its own recipe. Without the flag, or for another model, the
    /// checkpoint is refused.
    /// </summary>
    [Fact]
    public void An_adopted_checkpoint_holds_exactly_the_donors_weights_and_trains_on_under_the_adopters_recipe()
    {
        var donorRun = SmallRun("donor");
        using var donor = new Trainer(donorRun);
        TrainUntil(donor, 27);
        var donated = donor.Checkpoint();
        var adopter = SmallRun("adopter") with { Seed = 5, Recipe = donorRun.Recipe with { PeakLearningRate = 0.02, WeightDecay = 0.05 } };
        using (var own = new Trainer(adopter)) TrainUntil(own, 40); // its own weights, which must not survive the adoption

        using var adopted = Trainer.Resume(TrainingCheckpoint.FromBytes(donated.ToBytes(), "test"), expected: adopter, adopted: true);
        var start = adopted.Checkpoint();
        Assert.Equal(27, adopted.Step);
        Assert.Equal(donated.Parameters, start.Parameters);
        Assert.Equal(donated.FirstMoment, start.FirstMoment);
        Assert.Equal(donated.SecondMoment, start.SecondMoment);
        Assert.Equal(adopter, adopted.Run); // its own name, seed and recipe from here on

        // It trains on under its own recipe: one step from the same weights differs from the donor's next step.
        TrainUntil(adopted, 28);
        TrainUntil(donor, 28);
        Assert.NotEqual(donor.Checkpoint().Parameters, adopted.Checkpoint().Parameters);

        var bytes = donated.ToBytes();
        Assert.Contains("does not match run 'adopter'", Assert.Throws<ArgumentException>(() => Trainer.Resume(TrainingCheckpoint.FromBytes(bytes, "test"), expected: adopter)).Message);
        var wider = adopter with { Model = adopter.Model with { DModel = 12 } };
        Assert.Contains("holds another model", Assert.Throws<ArgumentException>(() => Trainer.Resume(TrainingCheckpoint.FromBytes(bytes, "test"), expected: wider, adopted: true)).Message);
    }

    [Fact]
    public void Resumed_run_ends_bit_identical_to_an_uninterrupted_one()
    {
        var run = SmallRun();
        using var uninterrupted = new Trainer(run);
        TrainUntil(uninterrupted, run.Recipe.Steps);

        string file = Path.Combine(_dir, "checkpoint.ckpt");
        using (var first = new Trainer(run))
        {
            TrainUntil(first, 27); // mid-phase, between evaluations and log points
            first.Checkpoint().Save(file);
        }
        using var resumed = Trainer.Resume(TrainingCheckpoint.Load(file));
        Assert.Equal(27, resumed.Step);
        TrainUntil(resumed, run.Recipe.Steps);

        Assert.Equal(uninterrupted.Checkpoint().Parameters, resumed.Checkpoint().Parameters);
        Assert.Equal(Fingerprint(uninterrupted), Fingerprint(resumed));
        Assert.Equal(uninterrupted.History.Losses, resumed.History.Losses);
        Assert.Equal(uninterrupted.History.Validations, resumed.History.Validations);
        Assert.Equal(6, resumed.History.Losses.Count);
        Assert.Equal(3, resumed.History.Validations.Count);
        // Each evaluation keeps its validation loss too (what a scheduler's validation_loss reads): finite, and falling as the run learns.
        Assert.All(resumed.History.Validations, v => Assert.True(v.Loss is > 0 and < 10, $"validation loss {v.Loss} at step {v.Step}"));
        Assert.True(resumed.History.Validations[^1].Loss < resumed.History.Validations[0].Loss);
    }

    [Fact]
    public void Resuming_without_the_optimizer_state_diverges()
    {
        // Shows the identity above is not vacuous: the moments matter.
        var run = SmallRun();
        using var uninterrupted = new Trainer(run);
        TrainUntil(uninterrupted, 40);

        using var first = new Trainer(run);
        TrainUntil(first, 20);
        var checkpoint = first.Checkpoint();
        var zeros = new float[checkpoint.FirstMoment.Length];
        using var resumed = Trainer.Resume(checkpoint with { FirstMoment = zeros, SecondMoment = zeros, OptimizerUpdates = 0 });
        TrainUntil(resumed, 40);
        Assert.NotEqual(uninterrupted.Checkpoint().Parameters, resumed.Checkpoint().Parameters);
    }

    [Fact]
    public void Checkpoint_file_round_trips_every_field()
    {
        var run = SmallRun();
        using var trainer = new Trainer(run);
        TrainUntil(trainer, 20);
        var saved = trainer.Checkpoint();
        string file = Path.Combine(_dir, "a.ckpt");
        saved.Save(file);
        var loaded = TrainingCheckpoint.Load(file);

        Assert.Equal(20, loaded.Step);
        Assert.Equal(20, loaded.DataPosition);
        Assert.Equal(20, loaded.OptimizerUpdates);
        Assert.Equal(saved.Parameters, loaded.Parameters);
        Assert.Equal(saved.FirstMoment, loaded.FirstMoment);
        Assert.Equal(saved.SecondMoment, loaded.SecondMoment);
        Assert.Equal(saved.History.Losses, loaded.History.Losses);
        Assert.Equal(run.Name, loaded.Run.Name);
        Assert.Equal(run.Model, loaded.Run.Model);
        Assert.Equal(run.Recipe.Curriculum, loaded.Run.Recipe.Curriculum);
        Assert.Equal(["tok_emb", "pos_emb"], loaded.Layout.Take(2).Select(l => l.Name));
        Assert.Equal(saved.ToBytes(), loaded.ToBytes());
    }

    [Fact]
    public void Damaged_or_foreign_files_are_refused_with_a_clear_error()
    {
        using var trainer = new Trainer(SmallRun());
        byte[] bytes = trainer.Checkpoint().ToBytes();

        bytes[bytes.Length / 2] ^= 0x40;
        var damaged = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.FromBytes(bytes));
        Assert.Contains("damaged", damaged.Message);

        var foreign = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.FromBytes("not a checkpoint at all, just text"u8.ToArray()));
        Assert.Contains("not an ActorSweep checkpoint", foreign.Message);

        var missing = Assert.Throws<FileNotFoundException>(() => TrainingCheckpoint.Load(Path.Combine(_dir, "none.ckpt")));
        Assert.Contains("does not exist", missing.Message);
    }

    [Fact]
    public void A_checkpoint_of_another_run_cannot_be_restored()
    {
        using var a = new Trainer(SmallRun("a"));
        using var b = new Trainer(SmallRun("b") with { Seed = 10 });
        var e = Assert.Throws<ArgumentException>(() => b.Restore(a.Checkpoint()));
        Assert.Contains("does not match", e.Message);
    }
}
