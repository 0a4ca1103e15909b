using System.Text.Json.Serialization;

namespace ActorSweep.Tasks.Addition;

/// <summary>
/// The seed's training recipe (docs/WORKLOAD.md, "Training"): AdamW (0.9, 0.999, 1e-8, weight
/// decay 0.01 on every parameter), global-norm clipping at 1.0, batch 512, linear warmup from 0
/// then cosine decay to 0.1 × peak, 27,000 steps over a three-phase curriculum.
/// </summary>
public sealed record TrainingRecipe
{
    /// <summary>The seed's validation and test set sizes.</summary>
    public const int DefaultValidationSize = 5000, DefaultTestSize = 10000;

    /// <summary>Peak learning rate, after warmup.</summary>
    [JsonPropertyName("lr")] public double PeakLearningRate { get; init; } = 1e-3;
    public double WarmupRatio { get; init; } = 0.05;
    /// <summary>The cosine ends at this fraction of the peak.</summary>
    [JsonPropertyName("final_lr_ratio")] public double FinalLearningRateRatio { get; init; } = 0.1;
    /// <summary>The cosine reaches its floor at this fraction of <see cref="Steps"/> and the rate stays
    /// there for the rest of the run (1, the seed's: the floor is reached at the last step).</summary>
    public double DecayRatio { get; init; } = 1;
    public double WeightDecay { get; init; } = 0.01;
    /// <summary>Where set, weight decay follows the learning rate's cosine from <see cref="WeightDecay"/>
    /// down (or up) to this value: strong decay to grok early, a free hand to sharpen late. Unset: constant.</summary>
    public double? FinalWeightDecay { get; init; }
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;
    public double ClipNorm { get; init; } = 1.0;
    public int BatchSize { get; init; } = 512;
    public int Steps { get; init; } = 27000;
    /// <summary>The curriculum; its phase lengths are scaled to <see cref="Steps"/>.</summary>
    public IReadOnlyList<CurriculumPhase> Curriculum { get; init; } = Addition.Curriculum.Seed.Phases;
    /// <summary>Operand digits of the validation and test sets (10 in the seed).</summary>
    public int EvalDigits { get; init; } = AdditionFormat.OperandDigits;
    /// <summary>Validation pairs drawn (the seed's 5,000).</summary>
    public int ValidationSize { get; init; } = DefaultValidationSize;
    /// <summary>Held-out test pairs scored at the end (the seed's 10,000).</summary>
    public int TestSize { get; init; } = DefaultTestSize;
    public int EvalEvery { get; init; } = 1000;
    /// <summary>Validation pairs scored at each evaluation (the first 1,000 of 5,000).</summary>
    public int EvalSize { get; init; } = 1000;
    public int LogEvery { get; init; } = 100;

    /// <summary>Grokfast (Lee et al. 2024): each gradient g gets λ times an EMA of past gradients added,
    /// ĝ = g + λ·ema, ema ← α·ema + (1 − α)·g, before clipping. Off while λ is 0.</summary>
    public double GrokfastAlpha { get; init; } = 0.98;
    /// <summary>Grokfast's amplification λ; 0 (the default) turns the filter off.</summary>
    public double GrokfastLamb { get; init; } = 0;
    /// <summary>Share of each batch drawn with a long carry chain at step 0 (see <see cref="CarrySampling"/>); 0 is off.</summary>
    public double CarryShare { get; init; } = 0;
    /// <summary>When the carry share has faded linearly to zero, as a fraction of <see cref="Steps"/>.</summary>
    public double CarryFade { get; init; } = 1;

    [JsonIgnore] public bool UsesGrokfast => GrokfastLamb > 0;

    /// <summary>The carry-heavy sampling of this recipe, or null where it draws uniformly.</summary>
    public CarrySampling? Carry() => CarryShare > 0 ? new CarrySampling(CarryShare, Math.Max(1, (long)Math.Round(CarryFade * Steps))) : null;

    /// <summary>Warmup steps as the seed computes them: int(steps × ratio), 1,350 of 27,000.</summary>
    [JsonIgnore] public int WarmupSteps => (int)(Steps * WarmupRatio);

    public Curriculum ScaledCurriculum() => new Curriculum(Curriculum).ScaledTo(Steps);

    /// <summary>
    /// Learning rate of the update made at 0-based <paramref name="step"/>, as optax's
    /// warmup_cosine_decay_schedule gives it (the first update uses step 0, so lr 0).
    /// </summary>
    public double LearningRate(long step)
    {
        if (step < WarmupSteps) return PeakLearningRate * step / WarmupSteps;
        double alpha = FinalLearningRateRatio;
        return PeakLearningRate * ((1 - alpha) * Cosine(step) + alpha);
    }

    /// <summary>AdamW's weight decay at 0-based <paramref name="step"/>: <see cref="WeightDecay"/> through the
    /// warmup, then along the same cosine as the learning rate to <see cref="FinalWeightDecay"/> where set.</summary>
    public double WeightDecayAt(long step) =>
        FinalWeightDecay is not { } final || step < WarmupSteps ? WeightDecay : final + (WeightDecay - final) * Cosine(step);

    /// <summary>The cosine factor after warmup: 1 at the end of warmup, 0 from the end of the decay on.</summary>
    double Cosine(long step)
    {
        int warmup = WarmupSteps;
        double decaySteps = Math.Round(Steps * DecayRatio) - warmup;
        double t = decaySteps <= 0 ? 1 : Math.Min(step - warmup, decaySteps) / decaySteps;
        return 0.5 * (1 + Math.Cos(Math.PI * t));
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (PeakLearningRate is <= 0 or > 10) throw Invalid("lr", PeakLearningRate, "must lie in (0, 10]");
        if (WarmupRatio is < 0 or >= 1) throw Invalid("warmup_ratio", WarmupRatio, "must lie in [0, 1)");
        if (FinalLearningRateRatio is < 0 or > 1) throw Invalid("final_lr_ratio", FinalLearningRateRatio, "must lie in [0, 1]");
        if (DecayRatio is <= 0 or > 1) throw Invalid("decay_ratio", DecayRatio, "must lie in (0, 1]");
        if (DecayRatio <= WarmupRatio) throw Invalid("decay_ratio", DecayRatio, $"must be above warmup_ratio = {WarmupRatio}");
        if (WeightDecay < 0) throw Invalid("weight_decay", WeightDecay, "must not be negative");
        if (FinalWeightDecay < 0) throw Invalid("final_weight_decay", FinalWeightDecay, "must not be negative");
        if (Beta1 is < 0 or >= 1) throw Invalid("beta1", Beta1, "must lie in [0, 1)");
        if (Beta2 is < 0 or >= 1) throw Invalid("beta2", Beta2, "must lie in [0, 1)");
        if (Epsilon <= 0) throw Invalid("epsilon", Epsilon, "must be positive");
        if (ClipNorm <= 0) throw Invalid("clip_norm", ClipNorm, "must be positive");
        if (BatchSize < 1) throw Invalid("batch_size", BatchSize, "must be at least 1");
        if (Steps < 1) throw Invalid("steps", Steps, "must be at least 1");
        if (EvalEvery < 1) throw Invalid("eval_every", EvalEvery, "must be at least 1");
        if (ValidationSize is < 1 or > 1_000_000) throw Invalid("validation_size", ValidationSize, "must lie in [1, 1000000]");
        if (TestSize is < 1 or > 1_000_000) throw Invalid("test_size", TestSize, "must lie in [1, 1000000]");
        if (EvalSize < 1 || EvalSize > ValidationSize)
            throw Invalid("eval_size", EvalSize, $"must lie in [1, validation_size = {ValidationSize}]");
        if (LogEvery < 1) throw Invalid("log_every", LogEvery, "must be at least 1");
        if (GrokfastAlpha is < 0 or >= 1) throw Invalid("grokfast_alpha", GrokfastAlpha, "must lie in [0, 1)");
        if (GrokfastLamb is < 0 or > 100) throw Invalid("grokfast_lamb", GrokfastLamb, "must lie in [0, 100]");
        if (CarryShare is < 0 or > 1) throw Invalid("carry_share", CarryShare, "must lie in [0, 1]");
        if (CarryFade is <= 0 or > 100) throw Invalid("carry_fade", CarryFade, "must lie in (0, 100] (a fraction of steps; above 1 the share never reaches zero)");
        if (EvalDigits is < 1 or > AdditionFormat.OperandDigits)
            throw Invalid("eval_digits", EvalDigits, $"must lie in [1, {AdditionFormat.OperandDigits}]");
        double pairs = Math.Pow(10, 2 * EvalDigits);
        if (ValidationSize + TestSize > pairs / 2)
            throw Invalid("test_size", TestSize, $"with validation_size {ValidationSize} it needs more than half of the {pairs:N0} pairs of {EvalDigits}-digit operands");
        try { ScaledCurriculum(); }
        catch (ArgumentException e) { throw new ArgumentException($"training option 'curriculum': {e.Message}"); }
    }

    static ArgumentException Invalid(string option, object value, string rule) =>
        new($"training option '{option}' = {value}: {rule}");
}
