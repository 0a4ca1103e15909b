namespace ActorSweep.Messages.Results;

/// <summary>One wrong answer of a finished run's test evaluation.</summary>
public sealed record FailureReport(long A, long B, long Expected, long? Predicted, string Decoded);

/// <summary>One point of a training curve.</summary>
public sealed record CurvePoint(long Step, double Value);

/// <summary>
/// The result of one finished training run: what report.json holds, and what the sweep
/// supervisor keeps for a completed run. Per-digit accuracy is indexed from the ones digit;
/// the curves are the training loss every LogEvery steps and validation exact match at each evaluation.
/// </summary>
public sealed record RunReport(
    string Model,
    long Params,
    long Steps,
    long Seed,
    double FinalLoss,
    double ExactMatch,
    double[] PerDigitAccuracy,
    IReadOnlyList<FailureReport> Failures,
    int TestPairs,
    double ValidationExactMatch,
    double? BestValidationExactMatch,
    long? BestValidationStep,
    double TrainSeconds,
    IReadOnlyList<CurvePoint> LossCurve,
    IReadOnlyList<CurvePoint> ValidationCurve);
