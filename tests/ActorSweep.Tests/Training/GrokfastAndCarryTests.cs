using System.Security.Cryptography;
using ActorSweep.GpuNode.Addition;
using ActorSweep.GpuNode.Training;
using ActorSweep.Tasks;
using ActorSweep.Tasks.Addition;
using TorchSharp;

namespace ActorSweep.Tests.Training;

/// <summary>The grokking recipe options: the Grokfast filter and carry-heavy sampling, exact and resumable.</summary>
public sealed class GrokfastAndCarryTests
{
    static AdditionRun GrokkingRun() => CheckpointResumeTests.SmallRun("grokfast") with
    {
        Recipe = CheckpointResumeTests.SmallRun().Recipe with
        {
            GrokfastLamb = 2, GrokfastAlpha = 0.9, CarryShare = 0.5, CarryFade = 0.5, WeightDecay = 0.2, FinalWeightDecay = 0.01, DecayRatio = 0.8,
        },
    };

    static void TrainUntil(Trainer trainer, long step)
    {
        while (trainer.Step < step)
        {
            trainer.TrainStep();
            if (trainer.EvaluationDue) trainer.Validate();
        }
    }

    [Fact]
    public void The_filter_adds_lambda_times_an_average_that_starts_at_the_first_gradient()
    {
        using var filter = new GrokfastFilter(alpha: 0.5, lamb: 2);
        using var g1 = torch.tensor(new float[] { 1, -2 });
        filter.Apply(g1);                                   // ema = g1; g1 + 2·ema = 3·g1
        Assert.Equal([3f, -6f], g1.data<float>().ToArray());
        Assert.Equal([1f, -2f], filter.State());
        using var g2 = torch.tensor(new float[] { 3, 0 });
        filter.Apply(g2);                                   // ema = 0.5·(1, −2) + 0.5·(3, 0) = (2, −1); g2 + 2·ema = (7, −2)
        Assert.Equal([7f, -2f], g2.data<float>().ToArray());
        Assert.Equal([2f, -1f], filter.State());
    }

    [Fact]
    public void A_run_with_grokfast_carry_sampling_and_a_faded_weight_decay_resumes_bit_identical_and_its_checkpoint_holds_the_filter()
    {
        var run = GrokkingRun();
        using var uninterrupted = new Trainer(run);
        TrainUntil(uninterrupted, run.Recipe.Steps);

        byte[] saved;
        using (var first = new Trainer(run))
        {
            TrainUntil(first, 27);
            var checkpoint = first.Checkpoint();
            Assert.Equal(run.Model.ParameterCount, checkpoint.GrokfastAverage.Length);
            Assert.Contains(checkpoint.GrokfastAverage, v => v != 0);
            saved = checkpoint.ToBytes();
        }
        using var resumed = Trainer.Resume(TrainingCheckpoint.FromBytes(saved, "test"));
        TrainUntil(resumed, run.Recipe.Steps);
        Assert.Equal(uninterrupted.Checkpoint().Parameters, resumed.Checkpoint().Parameters);
        Assert.Equal(uninterrupted.Checkpoint().GrokfastAverage, resumed.Checkpoint().GrokfastAverage);

        // The filter's state matters: resumed without it (restarted from the next gradient), the run ends elsewhere.
        using var forgetful = Trainer.Resume(TrainingCheckpoint.FromBytes(saved, "test") with { GrokfastAverage = [] });
        TrainUntil(forgetful, run.Recipe.Steps);
        Assert.NotEqual(uninterrupted.Checkpoint().Parameters, forgetful.Checkpoint().Parameters);

        // And the filter changes training at all: the same run without it ends elsewhere too.
        using var plain = new Trainer(run with { Recipe = run.Recipe with { GrokfastLamb = 0 } });
        TrainUntil(plain, run.Recipe.Steps);
        Assert.NotEqual(uninterrupted.Checkpoint().Parameters, plain.Checkpoint().Parameters);
        Assert.Empty(plain.Checkpoint().GrokfastAverage);

        // The faded weight decay acts too: held constant, the run ends elsewhere.
        using var constantDecay = new Trainer(run with { Recipe = run.Recipe with { FinalWeightDecay = null } });
        TrainUntil(constantDecay, run.Recipe.Steps);
        Assert.NotEqual(uninterrupted.Checkpoint().Parameters, constantDecay.Checkpoint().Parameters);
    }

    [Fact]
    public void A_checkpoint_of_format_1_written_before_the_filter_existed_still_resumes()
    {
        var run = CheckpointResumeTests.SmallRun();
        using var trainer = new Trainer(run);
        TrainUntil(trainer, 20);
        var current = trainer.Checkpoint().ToBytes();
        // Format 1 is format 2 without the fourth vector (an empty one: its length, 8 bytes), under its own checksum.
        var body = current.AsSpan(0, current.Length - 32 - 8).ToArray();
        BitConverter.GetBytes(1u).CopyTo(body, 8);
        var old = body.Concat(SHA256.HashData(body)).ToArray();

        var loaded = TrainingCheckpoint.FromBytes(old, "old");
        Assert.Empty(loaded.GrokfastAverage);
        Assert.Equal(trainer.Checkpoint().Parameters, loaded.Parameters);
        BitConverter.GetBytes(7u).CopyTo(body, 8);
        var future = body.Concat(SHA256.HashData(body)).ToArray();
        Assert.Contains("format 7", Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.FromBytes(future, "future")).Message);
    }

    [Fact]
    public void Carry_chains_are_as_long_as_drawn_and_far_longer_than_uniform_operands_give()
    {
        var rng = new RunRandom(1, RandomStream.TrainingData, 0);
        var uniform = new RunRandom(2, RandomStream.TrainingData, 0);
        double chainSum = 0, uniformSum = 0;
        const int N = 4000;
        for (int i = 0; i < N; i++)
        {
            var (a, b) = CarrySampling.DrawChain(ref rng, 10);
            Assert.InRange(a, 0, 9_999_999_999);
            Assert.InRange(b, 0, 9_999_999_999);
            int chain = CarrySampling.LongestCarryChain(a, b);
            Assert.True(chain >= 1, $"{a} + {b} carries nowhere");
            chainSum += chain;
            uniformSum += CarrySampling.LongestCarryChain(uniform.NextInt64(10_000_000_000), uniform.NextInt64(10_000_000_000));
        }
        // Drawn chains average 5.5 digits, and the uniform digits beside them extend about half of them (measured: 6.8); uniform 10-digit operands about 3.
        Assert.InRange(chainSum / N, 6.0, 7.5);
        Assert.InRange(uniformSum / N, 2.5, 3.5);
        Assert.Equal(10, CarrySampling.LongestCarryChain(9_999_999_999, 1));
        Assert.Equal(0, CarrySampling.LongestCarryChain(1234, 4321));
    }

    [Fact]
    public void The_carry_share_fades_to_zero_and_after_it_the_data_is_the_seeds_own()
    {
        var recipe = new TrainingRecipe { Steps = 1000, CarryShare = 0.8, CarryFade = 0.25 };
        var carry = recipe.Carry()!;
        Assert.Equal(0.8, carry.ShareAt(0));
        Assert.Equal(0.4, carry.ShareAt(125), 12);
        Assert.Equal(0, carry.ShareAt(250));
        Assert.Null(new TrainingRecipe().Carry());

        var format = AdditionFormat.For(true);
        var curriculum = new Curriculum([new CurriculumPhase(10, 10, 1000)]);
        var plain = new AdditionData(format, curriculum, 3, validationSize: 10, testSize: 10);
        var heavy = new AdditionData(format, curriculum, 3, validationSize: 10, testSize: 10, carry: carry);
        static double MeanChain((long A, long B)[] pairs) => pairs.Average(p => CarrySampling.LongestCarryChain(p.A, p.B));
        Assert.True(MeanChain(heavy.TrainingPairs(0, 512)) > MeanChain(plain.TrainingPairs(0, 512)) + 2);
        Assert.Equal(plain.TrainingPairs(250, 64), heavy.TrainingPairs(250, 64));
        Assert.Equal(plain.TrainingPairs(999, 64), heavy.TrainingPairs(999, 64));
    }

    [Theory]
    [InlineData("grokfast_alpha", "1", "training option 'grokfast_alpha' = 1: must lie in [0, 1)")]
    [InlineData("grokfast_lamb", "-1", "training option 'grokfast_lamb' = -1: must lie in [0, 100]")]
    [InlineData("carry_share", "1.5", "training option 'carry_share' = 1.5: must lie in [0, 1]")]
    [InlineData("carry_fade", "0", "training option 'carry_fade' = 0: must lie in (0, 100]")]
    public void Bad_recipe_options_are_refused_naming_the_option(string option, string value, string message)
    {
        var schema = new AdditionSchema();
        var e = Assert.Throws<ArgumentException>(() => schema.Define("r", 1, [schema.Read(option, value)]));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void The_options_reach_the_recipe()
    {
        var schema = new AdditionSchema();
        var run = ((AdditionDefinition)schema.Define("r", 1, [schema.Read("grokfast_lamb", "2"), schema.Read("grokfast_alpha", "0.9"),
                                                               schema.Read("carry_share", "0.3"), schema.Read("carry_fade", "0.5")])).Run;
        Assert.Equal((2.0, 0.9, 0.3, 0.5), (run.Recipe.GrokfastLamb, run.Recipe.GrokfastAlpha, run.Recipe.CarryShare, run.Recipe.CarryFade));
        Assert.True(run.Recipe.UsesGrokfast);
    }
}
