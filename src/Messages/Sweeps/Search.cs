using System.Collections.Immutable;
using System.Globalization;
using ActorSweep.Messages.Runs;
using ActorSweep.Tasks;

namespace ActorSweep.Messages.Sweeps;

/// <summary>How a search dimension is drawn: one of a list, uniform, log-uniform, or a uniform integer.</summary>
public enum DimensionKind { Choice, Uniform, LogUniform, IntUniform }

/// <summary>
/// One option of a <c>random:</c> space, typed: the one place a value of it is drawn
/// (<see cref="Draw"/>), for random search and for TPE's first trials alike. Values are option
/// JSON, read by the task like any other option. <see cref="Internal"/> maps a value to the
/// scale TPE models it on (the log for log-uniform, the index for a choice).
/// </summary>
public sealed record SearchDimension(string Name, DimensionKind Kind, double Low = 0, double High = 0, ImmutableList<string>? Choices = null)
{
    public string Draw(ref RunRandom random) => Kind switch
    {
        DimensionKind.Choice => Choices![(int)random.NextInt64(Choices.Count)],
        DimensionKind.Uniform => Json(Low + (High - Low) * random.NextDouble()),
        DimensionKind.LogUniform => Json(Math.Exp(Math.Log(Low) + (Math.Log(High) - Math.Log(Low)) * random.NextDouble())),
        _ => ((long)Low + random.NextInt64((long)High - (long)Low + 1)).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The bounds on the modelling scale: log bounds for log-uniform, ±0.5 around the integers, the indices of choices.</summary>
    public (double Low, double High) InternalBounds => Kind switch
    {
        DimensionKind.LogUniform => (Math.Log(Low), Math.Log(High)),
        DimensionKind.IntUniform => (Low - 0.5, High + 0.5),
        DimensionKind.Choice => (0, Choices!.Count - 1),
        _ => (Low, High),
    };

    /// <summary>A value (option JSON) on the modelling scale; null when it is not one of this dimension's values.</summary>
    public double? Internal(string json)
    {
        if (Kind == DimensionKind.Choice) return Choices!.IndexOf(json) is var i and >= 0 ? i : null;
        if (!double.TryParse(json, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) return null;
        return Kind == DimensionKind.LogUniform ? (v > 0 ? Math.Log(v) : null) : v;
    }

    /// <summary>A value on the modelling scale back to option JSON (clamped to the bounds, rounded for integers).</summary>
    public string FromInternal(double x) => Kind switch
    {
        DimensionKind.Choice => Choices![(int)Math.Clamp(Math.Round(x), 0, Choices.Count - 1)],
        DimensionKind.LogUniform => Json(Math.Clamp(Math.Exp(x), Low, High)),
        DimensionKind.IntUniform => ((long)Math.Clamp(Math.Round(x), Low, High)).ToString(CultureInfo.InvariantCulture),
        _ => Json(Math.Clamp(x, Low, High)),
    };

    static string Json(double d) => d.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>
/// The sweep file's <c>search: tpe</c>: the Tree-structured Parzen Estimator over the
/// <c>random:</c> space. The first <see cref="Startup"/> trials are the random draws; each later
/// trial is chosen, when it is first assigned, from the results so far: the best
/// <see cref="Gamma"/> of them (at most 25) make the "good" density l(x), the rest and every trial
/// still in flight (a constant liar: worst) the "bad" density g(x); of <see cref="Candidates"/>
/// draws from l the one with the highest l(x)/g(x) wins. <see cref="Multivariate"/> models the
/// options jointly instead of one by one. Deterministic in (<see cref="Seed"/>, the results in the
/// order they arrived), and journaled (<see cref="RunSuggested"/>).
/// </summary>
public sealed record TpeSearch(MetricGoal Goal, ImmutableList<SearchDimension> Space, long Seed, int Trials,
                               int Startup = TpeSearch.DefaultStartup, double Gamma = TpeSearch.DefaultGamma,
                               int Candidates = TpeSearch.DefaultCandidates, bool Multivariate = false)
{
    public const int DefaultStartup = 10;
    public const double DefaultGamma = 0.1;
    public const int DefaultCandidates = 24;
    /// <summary>The most results the good density holds (Optuna's cap).</summary>
    public const int MaxGood = 25;
    /// <summary>Configuration names of trials: trial-001, trial-002, ...</summary>
    public const string TrialPrefix = "trial-";

    /// <summary>The 0-based trial index of a run of this search, from its configuration name; -1 for none.</summary>
    public static int TrialIndex(RunSpec spec) =>
        spec.Name.StartsWith(TrialPrefix, StringComparison.Ordinal) && int.TryParse(spec.Name.AsSpan(TrialPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n - 1 : -1;
}

/// <summary>
/// Why TPE chose a trial's options: <see cref="Observed"/> results so far, the
/// <see cref="Good"/> best of them modelled as good (<see cref="Best"/>: their runs, best first,
/// at most five named), <see cref="InFlight"/> trials running without a result counted as bad (the
/// liar), and the chosen candidate's log l(x)/g(x). <see cref="Drawn"/> holds the random draw it
/// replaced.
/// </summary>
public sealed record Suggestion(int Trial, int Observed, int Good, int InFlight, double LogRatio, ImmutableList<string> Best,
                                ImmutableSortedDictionary<string, string> Drawn);
