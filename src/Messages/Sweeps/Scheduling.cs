using System.Collections.Immutable;
using System.Text.Json.Serialization;
using ActorSweep.Messages.Runs;

namespace ActorSweep.Messages.Sweeps;

/// <summary>
/// A metric runs report at their evaluations, and which way is better. Read from a checkpoint's
/// summary, so every decision made on it can be replayed from the journal.
/// </summary>
public sealed record MetricGoal(string Metric, bool Maximize)
{
    public const string ValidationExactMatch = "validation_exact_match";
    public const string ValidationLoss = "validation_loss";
    public const string TrainLoss = "train_loss";
    public static readonly IReadOnlyList<string> Names = [ValidationExactMatch, ValidationLoss, TrainLoss];

    /// <summary>The metric's usual direction: exact match up, loss down.</summary>
    public static bool MaximizedByDefault(string metric) => metric == ValidationExactMatch;

    /// <summary>The metric from a checkpoint's summary; a missing or non-finite value (a diverged run's NaN) is null, which ranks worst.</summary>
    public double? Read(RunSummary summary) => (Metric switch
    {
        ValidationExactMatch => summary.ValidationExactMatch,
        ValidationLoss => summary.ValidationLoss,
        TrainLoss => summary.Loss,
        _ => null,
    }) is { } v && double.IsFinite(v) ? v : null;

    /// <summary>True when <paramref name="a"/> is better than <paramref name="b"/>; a missing value is worst.</summary>
    public bool Better(double? a, double? b) => (a, b) switch
    {
        (null, _) => false,
        (_, null) => true,
        _ => Maximize ? a > b : a < b,
    };

    public bool Reached(double? value, double target) => value is { } v && (Maximize ? v >= target : v <= target);

    public string Describe => $"{Metric} ({(Maximize ? "max" : "min")})";
}

/// <summary>The sweep file's <c>scheduler:</c> section: how runs are paused, promoted and pruned. Without one, every run trains its whole budget.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(AshaScheduler), "asha")]
[JsonDerivedType(typeof(MedianScheduler), "median")]
[JsonDerivedType(typeof(PbtScheduler), "pbt")]
public abstract record SchedulerSpec(MetricGoal Goal);

/// <summary>
/// Asynchronous successive halving that promotes rather than stops. Rungs lie at
/// <see cref="MinSteps"/>·η^k steps below <see cref="MaxSteps"/>; a run that reaches a rung
/// pauses (checkpointed, its slot freed) and is promoted to the next rung once it ranks in the
/// top 1/η of the results at its rung. Several brackets (Hyperband) start their runs at
/// different rungs: bracket b's runs first pause at rung b.
/// </summary>
public sealed record AshaScheduler(MetricGoal Goal, long MinSteps, int ReductionFactor, long MaxSteps, int Brackets = 1) : SchedulerSpec(Goal)
{
    /// <summary>The steps at which runs pause, ascending; every one below <see cref="MaxSteps"/>, where runs complete.</summary>
    public ImmutableList<long> Rungs
    {
        get
        {
            var rungs = ImmutableList.CreateBuilder<long>();
            for (double step = MinSteps; step < MaxSteps; step *= ReductionFactor) rungs.Add((long)step);
            return rungs.ToImmutable();
        }
    }
}

/// <summary>
/// The median stopping rule: after <see cref="GraceSteps"/>, a run whose best result so far is
/// worse than the median of the other runs' results at the same step is pruned, once at least
/// <see cref="MinRuns"/> runs have reported there.
/// </summary>
public sealed record MedianScheduler(MetricGoal Goal, long GraceSteps, int MinRuns) : SchedulerSpec(Goal);

/// <summary>
/// Population-based training, asynchronous: every <see cref="Interval"/> steps a run pauses with
/// its result. If it ranks in the bottom <see cref="Quantile"/> of the population's latest results,
/// it exploits a run of the top quantile: it goes on from a copy of that run's latest checkpoint,
/// with that run's options, then explores: each option named in <see cref="Perturb"/> is multiplied
/// by 0.8 or 1.2, or, with <see cref="ResampleProbability"/> and where <see cref="Resample"/> has
/// its dimension, drawn afresh. Otherwise it goes on as it is. No run waits for another. Choices
/// come from the run's own generator (<see cref="Seed"/>, its place, its interval).
/// </summary>
public sealed record PbtScheduler(MetricGoal Goal, long Interval, double Quantile, ImmutableList<string> Perturb, double ResampleProbability,
                                  ImmutableList<SearchDimension> Resample, long Seed) : SchedulerSpec(Goal)
{
    public const double DefaultQuantile = 0.25, DefaultResampleProbability = 0.25;
    /// <summary>The factors an explored option is multiplied by (Ray's).</summary>
    public static readonly double[] Factors = [0.8, 1.2];
}

/// <summary>
/// The sweep file's <c>stop:</c> section. A run reaching <see cref="Target"/> on
/// <see cref="Goal"/> completes early, with its results. The sweep stops once
/// <see cref="RunsAtTarget"/> runs have reached the target, or once <see cref="TotalSteps"/>
/// training steps are spent.
/// </summary>
public sealed record StopSpec(MetricGoal? Goal, double? Target, int? RunsAtTarget, long? TotalSteps);

/// <summary>What a node is told besides the run: where it pauses, and when it completes early.</summary>
/// <param name="PauseAt">Checkpoint at this step and hand the run back as paused (a scheduler's rung).</param>
/// <param name="FinishAt">Complete at this step, before the run's own budget (the scheduler's max steps).</param>
/// <param name="Goal">Complete as soon as an evaluation reaches <paramref name="Target"/> on this metric.</param>
public sealed record RunLimits(long? PauseAt, long? FinishAt, MetricGoal? Goal, double? Target)
{
    public bool Any => PauseAt is not null || FinishAt is not null || Target is not null;
}

/// <summary>One run's result at one rung: the metric it had when it paused there.</summary>
public sealed record RungResult(int Rung, long Step, double? Value);
