namespace ActorSweep.Tasks.Noop;

/// <summary>The options of the noop task: <c>steps</c> (default 1), <c>step_seconds</c> (0) and <c>checkpoint_every</c> (default: steps).</summary>
public sealed class NoopSchema : ITaskSchema
{
    public const string TaskName = "noop";

    sealed record Draft(long Steps, double StepSeconds, int? CheckpointEvery);

    static readonly OptionTable<Draft> Table = new OptionTable<Draft>(TaskName)
        .Add<long>("steps", (d, v) => d with { Steps = v }, json => AtLeast("steps", json, 0))
        .Add<double>("step_seconds", (d, v) => d with { StepSeconds = v }, json => (double)OptionTable<Draft>.Parse("step_seconds", json, typeof(double))! is var s && double.IsFinite(s) && s >= 0
            ? s : throw OutOfRange("step_seconds", json))
        .Add<int>("checkpoint_every", (d, v) => d with { CheckpointEvery = v }, json => (int)AtLeast("checkpoint_every", json, 1));

    public string Name => TaskName;
    public IReadOnlyCollection<string> OptionNames => Table.Names;

    public OptionValue Read(string name, string json) => Table.Read(name, json);

    public RunDefinition Define(string name, long seed, IReadOnlyCollection<OptionValue> options)
    {
        var draft = options.Aggregate(new Draft(1, 0, null), Table.Apply);
        return new NoopDefinition(name, seed, draft.Steps, draft.StepSeconds, draft.CheckpointEvery ?? (int)Math.Clamp(draft.Steps, 1, int.MaxValue));
    }

    static long AtLeast(string name, string json, long min)
    {
        var value = Convert.ToInt64(OptionTable<Draft>.Parse(name, json, name == "steps" ? typeof(long) : typeof(int)));
        return value >= min ? value : throw OutOfRange(name, json);
    }

    static ArgumentException OutOfRange(string name, string json) => new($"option '{name}': {json} is out of range");
}
