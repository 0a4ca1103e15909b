namespace ActorSweep.Tasks.Noop;

/// <summary>
/// The options of the noop task: <c>steps</c> (default 1), <c>step_seconds</c> (0),
/// <c>checkpoint_every</c> (default: steps), and a made-up learning curve: <c>plateau</c> (in [0, 1],
/// default 1) and <c>rate</c> (per step, default 0: no curve, the plateau at once). With
/// <c>objective: branin</c> the plateau is computed from the options <c>x1</c> and <c>x2</c>
/// instead: 1 / (1 + branin(x1, x2) − 0.397887), which is 1 at Branin's three minima and falls
/// away from them, so a search over x1 ∈ [−5, 10], x2 ∈ [0, 15] has a known optimum; its rate
/// defaults to 50, so the value is there (and evaluated) from the first step.
/// </summary>
public sealed class NoopSchema : ITaskSchema
{
    public const string TaskName = "noop";

    sealed record Draft(long Steps, double StepSeconds, int? CheckpointEvery, double? Plateau = null, double? Rate = null,
                        string? Objective = null, double X1 = 0, double X2 = 0);

    public const string Branin = "branin";
    /// <summary>The curve's rate under an objective, unless set: the plateau from the first step.</summary>
    public const double ObjectiveRate = 50;

    static readonly OptionTable<Draft> Table = new OptionTable<Draft>(TaskName)
        .Add<long>("steps", (d, v) => d with { Steps = v }, json => AtLeast("steps", json, 0))
        .Add<double>("step_seconds", (d, v) => d with { StepSeconds = v }, json => NonNegative("step_seconds", json, max: double.MaxValue))
        .Add<double>("plateau", (d, v) => d with { Plateau = v }, json => NonNegative("plateau", json, max: 1))
        .Add<double>("rate", (d, v) => d with { Rate = v }, json => NonNegative("rate", json, max: double.MaxValue))
        .Add<int>("checkpoint_every", (d, v) => d with { CheckpointEvery = v }, json => (int)AtLeast("checkpoint_every", json, 1))
        .Add<string>("objective", (d, v) => d with { Objective = v }, json =>
            (string)OptionTable<Draft>.Parse("objective", json, typeof(string))! is Branin ? Branin : throw new ArgumentException($"option 'objective': {json} is not an objective; the one there is: \"{Branin}\""))
        .Add<double>("x1", (d, v) => d with { X1 = v }, json => Finite("x1", json))
        .Add<double>("x2", (d, v) => d with { X2 = v }, json => Finite("x2", json));

    public string Name => TaskName;
    public IReadOnlyCollection<string> OptionNames => Table.Names;

    public OptionValue Read(string name, string json) => Table.Read(name, json);

    /// <summary>The made-up curve and its objective: a resumed noop run is only its step.</summary>
    public IReadOnlyCollection<string> MutableOptions { get; } = ["plateau", "rate", "x1", "x2", "step_seconds"];

    public RunDefinition Define(string name, long seed, IReadOnlyCollection<OptionValue> options)
    {
        var draft = options.Aggregate(new Draft(1, 0, null), Table.Apply);
        if (draft.Objective is not null && draft.Plateau is not null)
            throw new ArgumentException("options 'objective' and 'plateau' both set the result; give one");
        double plateau = draft.Objective is null ? draft.Plateau ?? 1 : BraninScore(draft.X1, draft.X2);
        // An objective's value is there from the first step (1 − e^−50), and evaluated at every one.
        double rate = draft.Rate ?? (draft.Objective is null ? 0 : ObjectiveRate);
        return new NoopDefinition(name, seed, draft.Steps, draft.StepSeconds, draft.CheckpointEvery ?? (int)Math.Clamp(draft.Steps, 1, int.MaxValue),
                                  plateau, rate);
    }

    /// <summary>1 at the minima of the Branin function (0.397887), less elsewhere: a result to maximise.</summary>
    public static double BraninScore(double x1, double x2)
    {
        const double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
        double f = Math.Pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * Math.Cos(x1) + 10;
        return 1 / (1 + Math.Max(0, f - 0.397887));
    }

    static double Finite(string name, string json) =>
        (double)OptionTable<Draft>.Parse(name, json, typeof(double))! is var v && double.IsFinite(v) ? v : throw OutOfRange(name, json);

    static long AtLeast(string name, string json, long min)
    {
        var value = Convert.ToInt64(OptionTable<Draft>.Parse(name, json, name == "steps" ? typeof(long) : typeof(int)));
        return value >= min ? value : throw OutOfRange(name, json);
    }

    static double NonNegative(string name, string json, double max) =>
        (double)OptionTable<Draft>.Parse(name, json, typeof(double))! is var v && double.IsFinite(v) && v >= 0 && v <= max ? v : throw OutOfRange(name, json);

    static ArgumentException OutOfRange(string name, string json) => new($"option '{name}': {json} is out of range");
}
