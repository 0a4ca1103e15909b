using ActorSweep.GpuNode.Addition;
using ActorSweep.Tasks;
using ActorSweep.Tasks.Addition;

namespace ActorSweep.Tests.Addition;

public sealed class CurriculumAndDataTests
{
    static readonly AdditionFormat D = AdditionFormat.WithDelimiters;

    [Theory]
    [InlineData(0, 1, 3)]
    [InlineData(1999, 1, 3)]
    [InlineData(2000, 1, 6)]
    [InlineData(6999, 1, 6)]
    [InlineData(7000, 1, 10)]
    [InlineData(26999, 1, 10)]
    [InlineData(40000, 1, 10)]
    public void Seed_curriculum_phases_switch_at_2000_and_7000(long step, int min, int max)
    {
        var phase = Curriculum.Seed.PhaseAt(step);
        Assert.Equal((min, max), (phase.MinDigits, phase.MaxDigits));
        Assert.Equal(27000, Curriculum.Seed.TotalSteps);
    }

    [Theory]
    [InlineData(0, 1000)]
    [InlineData(2000, 1_000_000)]
    [InlineData(7000, 10_000_000_000)]
    public void Training_operands_stay_inside_their_phase_and_cover_every_digit_count(long step, long bound)
    {
        var data = new AdditionData(D, Curriculum.Seed, seed: 7);
        var phase = Curriculum.Seed.PhaseAt(step);
        var digitCounts = new HashSet<int>();
        for (long s = step; s < step + 20; s++)
            foreach (var (a, b) in data.TrainingPairs(s, 512))
            {
                Assert.InRange(a, 0, bound - 1);
                Assert.InRange(b, 0, bound - 1);
                digitCounts.Add(Math.Max(a, b).ToString().Length);
            }
        // With n uniform in [1, max], the larger operand has exactly max digits often, and every count appears.
        for (int n = 2; n <= phase.MaxDigits; n++) Assert.Contains(n, digitCounts);
        Assert.DoesNotContain(phase.MaxDigits + 1, digitCounts);
    }

    [Fact]
    public void Batches_are_a_pure_function_of_seed_and_step()
    {
        var a = new AdditionData(D, Curriculum.Seed, seed: 42);
        var b = new AdditionData(D, Curriculum.Seed, seed: 42);
        var other = new AdditionData(D, Curriculum.Seed, seed: 43);
        Assert.Equal(a.TrainingPairs(1234, 64), b.TrainingPairs(1234, 64));
        Assert.Equal(a.TrainingPairs(1234, 64), a.TrainingPairs(1234, 64));
        Assert.NotEqual(a.TrainingPairs(1234, 64), a.TrainingPairs(1235, 64));
        Assert.NotEqual(a.TrainingPairs(1234, 64), other.TrainingPairs(1234, 64));
        Assert.Equal(a.Test, b.Test);
        Assert.NotEqual(a.Test, other.Test);
    }

    [Fact]
    public void Seed_sized_evaluation_sets_are_uniform_ten_digit_pairs()
    {
        var data = new AdditionData(D, Curriculum.Seed, seed: 42);
        Assert.Equal(5000, data.Validation.Count);
        Assert.Equal(10000, data.Test.Count);
        var operands = data.Test.SelectMany(p => new[] { p.A, p.B }).ToList();
        Assert.All(operands, x => Assert.InRange(x, 0, AdditionFormat.MaxOperand));
        // Uniform on [0, 10^10): mean near 5e9, and about 90% of operands have ten digits.
        Assert.InRange(operands.Average(x => (double)x), 4.85e9, 5.15e9);
        Assert.InRange(operands.Count(x => x >= 1_000_000_000) / (double)operands.Count, 0.88, 0.92);
    }

    [Fact]
    public void Validation_and_test_are_disjoint_from_each_other_and_from_training()
    {
        // Three-digit operands make collisions likely: 10^6 pairs, 1,500 held out, 200 × 512 drawn.
        var curriculum = new Curriculum([new CurriculumPhase(3, 3, 200)]);
        var data = new AdditionData(D, curriculum, seed: 5, evalDigits: 3, validationSize: 500, testSize: 1000);
        var validation = data.Validation.ToHashSet();
        var test = data.Test.ToHashSet();
        Assert.Equal(500, validation.Count);
        Assert.Equal(1000, test.Count);
        Assert.Empty(validation.Intersect(test));
        long drawn = 0;
        for (long step = 0; step < 200; step++)
            foreach (var pair in data.TrainingPairs(step, 512))
            {
                drawn++;
                Assert.DoesNotContain(pair, validation);
                Assert.DoesNotContain(pair, test);
            }
        // Without the exclusion about 1,500/10^6 of 102,400 draws (~150) would have hit the held-out pairs.
        Assert.Equal(102_400, drawn);
        var check = HeldOutCheck.Count(data, 200, 512, data.Test);
        Assert.Equal((0, 0), (check.TrainingOverlap, check.ValidationOverlap));
    }

    [Fact]
    public void Held_out_check_finds_pairs_that_were_trained_on()
    {
        var data = new AdditionData(D, Curriculum.Seed, seed: 3);
        var trained = data.TrainingPairs(10, 512).Take(7).ToList();
        var check = HeldOutCheck.Count(data, 20, 512, trained.Concat(data.Validation.Take(2)));
        Assert.Equal(7, check.TrainingOverlap);
        Assert.Equal(2, check.ValidationOverlap);
    }

    [Fact]
    public void Scaling_the_curriculum_keeps_each_phases_share()
    {
        var scaled = Curriculum.Seed.ScaledTo(2700);
        Assert.Equal([200, 500, 2000], scaled.Phases.Select(p => p.Steps));
        Assert.Equal(2700, scaled.TotalSteps);
        Assert.Equal(3, Curriculum.Seed.ScaledTo(3).Phases.Sum(p => p.Steps));
        Assert.Throws<ArgumentException>(() => Curriculum.Seed.ScaledTo(2));
    }

    [Fact]
    public void Random_integers_are_uniform_and_unbiased()
    {
        var rng = new RunRandom(1, RandomStream.TrainingData, 0);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[rng.NextInt64(7)]++;
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt64(0));
    }
}
