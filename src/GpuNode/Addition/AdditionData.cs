using ActorSweep.Tasks;
using ActorSweep.Tasks.Addition;

namespace ActorSweep.GpuNode.Addition;

/// <summary>
/// The data of one addition run: a validation set and a held-out test set, both operands uniform
/// in [0, 10^digits − 1], disjoint from each other and from every training example (training
/// draws that hit a held-out pair are drawn again), and training batches that are a pure
/// function of (seed, step).
/// </summary>
public sealed class AdditionData
{
    public const int DefaultValidationSize = TrainingRecipe.DefaultValidationSize;
    public const int DefaultTestSize = TrainingRecipe.DefaultTestSize;

    readonly HashSet<(long, long)> _heldOut;

    public AdditionData(AdditionFormat format, Curriculum curriculum, long seed, int evalDigits = AdditionFormat.OperandDigits,
                        int validationSize = DefaultValidationSize, int testSize = DefaultTestSize, CarrySampling? carry = null)
    {
        Carry = carry;
        if (evalDigits is < 1 or > AdditionFormat.OperandDigits)
            throw new ArgumentOutOfRangeException(nameof(evalDigits), evalDigits, $"evaluation digits must lie in [1, {AdditionFormat.OperandDigits}]");
        Format = format;
        Curriculum = curriculum;
        Seed = seed;
        EvalDigits = evalDigits;
        _heldOut = new HashSet<(long, long)>();
        Validation = DrawDistinct(seed, RandomStream.Validation, validationSize, evalDigits, _heldOut);
        Test = DrawDistinct(seed, RandomStream.Test, testSize, evalDigits, _heldOut);
    }

    /// <summary>The data a run trains and is scored on (its curriculum, carry sampling and held-out sets);
    /// <paramref name="seed"/> and <paramref name="testSize"/> draw another test set (`eval --seed --n`).</summary>
    public static AdditionData For(AdditionRun run, long? seed = null, int? testSize = null) =>
        new(run.Model.Format, run.Recipe.ScaledCurriculum(), seed ?? run.Seed, run.Recipe.EvalDigits, run.Recipe.ValidationSize,
            testSize ?? run.Recipe.TestSize, run.Recipe.Carry());

    public AdditionFormat Format { get; }
    public Curriculum Curriculum { get; }
    public long Seed { get; }
    public int EvalDigits { get; }
    /// <summary>Carry-heavy sampling of training examples, or null for the seed's uniform draws.</summary>
    public CarrySampling? Carry { get; }
    public IReadOnlyList<(long A, long B)> Validation { get; }
    public IReadOnlyList<(long A, long B)> Test { get; }

    public bool IsHeldOut(long a, long b) => _heldOut.Contains((a, b));

    /// <summary>
    /// Fills a training batch for 0-based <paramref name="step"/>: <paramref name="inputs"/> is
    /// batch × FedLength tokens, <paramref name="targets"/> batch × AnswerLength next-token targets.
    /// </summary>
    public void FillTrainingBatch(long step, int batchSize, Span<long> inputs, Span<long> targets)
    {
        int fed = Format.FedLength, answer = Format.AnswerLength;
        var phase = Curriculum.PhaseAt(step);
        double carryShare = Carry?.ShareAt(step) ?? 0;
        var rng = new RunRandom(Seed, RandomStream.TrainingData, step);
        for (int i = 0; i < batchSize; i++)
        {
            var (a, b) = DrawTrainingPair(ref rng, phase, carryShare);
            Format.WriteExample(a, b, inputs.Slice(i * fed, fed), targets.Slice(i * answer, answer));
        }
    }

    /// <summary>The operand pairs of one training step, in batch order.</summary>
    public (long A, long B)[] TrainingPairs(long step, int batchSize)
    {
        var phase = Curriculum.PhaseAt(step);
        double carryShare = Carry?.ShareAt(step) ?? 0;
        var rng = new RunRandom(Seed, RandomStream.TrainingData, step);
        var pairs = new (long, long)[batchSize];
        for (int i = 0; i < batchSize; i++) pairs[i] = DrawTrainingPair(ref rng, phase, carryShare);
        return pairs;
    }

    /// <summary>One example: n digits uniform in the phase, then either a carry chain (with probability
    /// <paramref name="carryShare"/>; no draw is spent on the choice when it is 0, so the seed's data
    /// stays as it was) or two uniform operands.</summary>
    (long, long) DrawTrainingPair(ref RunRandom rng, CurriculumPhase phase, double carryShare)
    {
        while (true)
        {
            int n = rng.NextInt(phase.MinDigits, phase.MaxDigits);
            bool chain = carryShare > 0 && rng.NextDouble() < carryShare;
            long a, b;
            if (chain) (a, b) = CarrySampling.DrawChain(ref rng, n);
            else
            {
                long range = Pow10(n);
                a = rng.NextInt64(range);
                b = rng.NextInt64(range);
            }
            if (!_heldOut.Contains((a, b))) return (a, b);
        }
    }

    /// <summary>Draws <paramref name="count"/> pairs not already in <paramref name="taken"/>, adding them to it.</summary>
    public static List<(long A, long B)> DrawDistinct(long seed, RandomStream stream, int count, int digits, HashSet<(long, long)> taken)
    {
        long range = Pow10(digits);
        if ((double)range * range - taken.Count < 2.0 * count)
            throw new ArgumentException($"{count} distinct pairs of {digits}-digit operands are too many for the pair space");
        var rng = new RunRandom(seed, stream, 0);
        var pairs = new List<(long, long)>(count);
        while (pairs.Count < count)
        {
            long a = rng.NextInt64(range), b = rng.NextInt64(range);
            if (taken.Add((a, b))) pairs.Add((a, b));
        }
        return pairs;
    }

    public static long Pow10(int n)
    {
        long r = 1;
        for (int i = 0; i < n; i++) r *= 10;
        return r;
    }
}
