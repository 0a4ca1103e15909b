using ActorSweep.Tasks.Addition;

namespace ActorSweep.Tests.Training;

/// <summary>optax.warmup_cosine_decay_schedule(0, peak, 1350, 27000, 0.1·peak), as the seed builds it.</summary>
public sealed class LearningRateTests
{
    static readonly TrainingRecipe Seed777 = new() { PeakLearningRate = 0.02, WarmupRatio = 0.05, Steps = 27000 };

    [Theory]
    [InlineData(0, 0.0)]              // optax's first update uses count 0
    [InlineData(1, 0.02 / 1350)]
    [InlineData(675, 0.01)]           // half way up the warmup
    [InlineData(1350, 0.02)]          // peak
    [InlineData(14175, 0.011)]        // half way down the cosine: 0.02 · (0.9 · 0.5 + 0.1)
    [InlineData(27000, 0.002)]        // the floor, 0.1 × peak
    [InlineData(30000, 0.002)]        // stays there
    public void Schedule_values_at_chosen_steps(long step, double expected)
    {
        Assert.Equal(expected, Seed777.LearningRate(step), precision: 12);
    }

    [Fact]
    public void Warmup_is_five_percent_of_the_run_and_the_schedule_never_rises_after_it()
    {
        Assert.Equal(1350, Seed777.WarmupSteps);
        for (long s = 1351; s <= 27000; s++) Assert.True(Seed777.LearningRate(s) <= Seed777.LearningRate(s - 1));
        for (long s = 1; s <= 1350; s++) Assert.True(Seed777.LearningRate(s) > Seed777.LearningRate(s - 1));
    }

    [Fact]
    public void Quarter_way_down_the_cosine_matches_the_closed_form()
    {
        double t = 0.25, expected = 0.02 * (0.9 * 0.5 * (1 + Math.Cos(Math.PI * t)) + 0.1);
        Assert.Equal(expected, Seed777.LearningRate(1350 + (long)(0.25 * 25650)), precision: 4);
    }

    [Fact]
    public void Without_warmup_the_schedule_starts_at_the_peak()
    {
        var recipe = Seed777 with { WarmupRatio = 0 };
        Assert.Equal(0.02, recipe.LearningRate(0), precision: 12);
    }

    [Fact]
    public void A_decay_ratio_ends_the_cosine_early_and_holds_the_floor()
    {
        // 20,000 steps whose schedule has the shape of a 10,000-step run, then 10,000 steps at the floor.
        var held = Seed777 with { Steps = 20000, DecayRatio = 0.5, WarmupRatio = 0.025 };
        var short10k = Seed777 with { Steps = 10000 };
        for (long s = 0; s <= 10000; s += 250) Assert.Equal(short10k.LearningRate(s), held.LearningRate(s), precision: 12);
        for (long s = 10000; s <= 20000; s += 250) Assert.Equal(0.002, held.LearningRate(s), precision: 12);
        Assert.True(held.LearningRate(9000) > 0.002);
    }

    [Fact]
    public void Weight_decay_is_constant_unless_a_final_value_is_set()
    {
        var constant = Seed777 with { WeightDecay = 0.2 };
        foreach (long s in new long[] { 0, 1350, 14175, 27000, 40000 }) Assert.Equal(0.2, constant.WeightDecayAt(s));

        var faded = constant with { FinalWeightDecay = 0.01 };
        Assert.Equal(0.2, faded.WeightDecayAt(0));
        Assert.Equal(0.2, faded.WeightDecayAt(1350), precision: 12);            // end of warmup: the start of the cosine
        Assert.Equal(0.105, faded.WeightDecayAt(14175), precision: 12);         // half way: (0.2 + 0.01) / 2
        Assert.Equal(0.01, faded.WeightDecayAt(27000), precision: 12);
        Assert.Equal(0.01, faded.WeightDecayAt(30000), precision: 12);
        for (long s = 1351; s <= 27000; s += 7) Assert.True(faded.WeightDecayAt(s) <= faded.WeightDecayAt(s - 7));
        // It shares the learning rate's cosine, so a decay_ratio ends both together.
        var early = faded with { DecayRatio = 0.5 };
        Assert.Equal(0.01, early.WeightDecayAt(13500), precision: 12);
        Assert.Equal(early.LearningRate(13500), early.LearningRate(20000), precision: 12);
    }

    [Fact]
    public void A_negative_final_weight_decay_is_refused()
    {
        var e = Assert.Throws<ArgumentException>((Seed777 with { FinalWeightDecay = -0.1 }).Validate);
        Assert.Contains("'final_weight_decay'", e.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(0.04)] // not above warmup_ratio 0.05
    public void A_decay_ratio_outside_the_run_is_refused(double ratio)
    {
        var e = Assert.Throws<ArgumentException>((Seed777 with { DecayRatio = ratio }).Validate);
        Assert.Contains("'decay_ratio'", e.Message);
    }

    [Theory]
    [InlineData("lr")]
    [InlineData("warmup_ratio")]
    [InlineData("batch_size")]
    public void Invalid_recipes_are_rejected_by_option_name(string option)
    {
        var recipe = option switch
        {
            "lr" => Seed777 with { PeakLearningRate = -1 },
            "warmup_ratio" => Seed777 with { WarmupRatio = 1.5 },
            _ => Seed777 with { BatchSize = 0 },
        };
        var e = Assert.Throws<ArgumentException>(recipe.Validate);
        Assert.Contains($"'{option}'", e.Message);
    }
}
