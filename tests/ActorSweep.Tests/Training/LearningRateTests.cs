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
