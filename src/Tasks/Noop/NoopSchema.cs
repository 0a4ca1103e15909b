namespace ActorSweep.Tasks.Noop;

/// <summary>
/// The options of the noop task: <c>steps</c> (default 1), <c>step_seconds</c> (0),
/// <c>checkpoint_every</c> (default: steps), and a made-up learning curve: <c>plateau</c> (in [0, 1],
/// default 1) and <c>rate</c> (per step, default 0: no curve, always 1).
/// </summary>
public sealed class NoopSchema : ITaskSchema
{
    public const string TaskName = "noop";

    sealed record Draft(long Steps, double StepSeconds, int? CheckpointEvery, double Plateau = 1, double Rate = 0);

    static readonly OptionTable<Draft> Table = new OptionTable<Draft>(TaskName)
        .Add<long>("steps", (d, v) => d with { Steps = v }, json => AtLeast("steps", json, 0))
        .Add<double>("step_seconds", (d, v) => d with { StepSeconds = v }, json => NonNegative("step_seconds", json, max: double.MaxValue))
        .Add<double>("plateau", (d, v) => d with { Plateau = v }, json => NonNegative("plateau", json, max: 1))
        .Add<double>("rate", (d, v) => d with { Rate = v }, json => NonNegative("rate", json, max: double.MaxValue))
        .Add<int>("checkpoint_every", (d, v) => d with { CheckpointEvery = v }, json => (int)AtLeast("checkpoint_every", json, 1));

    public string Name => TaskName;
    public IReadOnlyCollection<string> OptionNames => Table.Names;

    public OptionValue Read(string name, string json) => Table.Read(name, json);

    public RunDefinition Define(string name, long seed, IReadOnlyCollection<OptionValue> options)
    {
        var draft = options.Aggregate(new Draft(1, 0, null), Table.Apply);
        return new NoopDefinition(name, seed, draft.Steps, draft.StepSeconds, draft.CheckpointEvery ?? (int)Math.Clamp(draft.Steps, 1, int.MaxValue),
                                  draft.Plateau, draft.Rate);
    }

    static long AtLeast(string name, string json, long min)
    {
        var value = Convert.ToInt64(OptionTable<Draft>.Parse(name, json, name == "steps" ? typeof(long) : typeof(int)));
        return value >= min ? value : throw OutOfRange(name, json);
    }

    static double NonNegative(string name, string json, double max) =>
        (double)OptionTable<Draft>.Parse(name, json, typeof(double))! is var v && double.IsFinite(v) && v >= 0 && v <= max ? v : throw OutOfRange(name, json);

    static ArgumentException OutOfRange(string name, string json) => new($"option '{name}': {json} is out of range");
}
