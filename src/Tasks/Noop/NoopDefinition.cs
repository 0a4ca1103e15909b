using System.Text.Json.Serialization;

namespace ActorSweep.Tasks.Noop;

/// <summary>
/// A run that trains nothing: <see cref="Steps"/> empty steps, each lasting
/// <see cref="StepSeconds"/>, checkpointed every <see cref="CheckpointEvery"/>. It measures the
/// runner itself and lets tests drive the supervisor, node agents and persistence without a model.
/// Its "validation exact match" after step t is the made-up learning curve
/// <see cref="Plateau"/>·(1 − e^(−<see cref="Rate"/>·t)) (loss: one minus it), so schedulers can be
/// exercised on curves whose ranking is known.
/// </summary>
public sealed record NoopDefinition : RunDefinition
{
    public NoopDefinition(string name, long seed, long steps, double stepSeconds, int checkpointEvery, double plateau = 1, double rate = 0) : base(checkpointEvery)
    {
        Name = name;
        Seed = seed;
        Steps = steps;
        StepSeconds = stepSeconds;
        Plateau = plateau;
        Rate = rate;
    }

    public string Name { get; }
    public long Seed { get; }
    public long Steps { get; }
    public double StepSeconds { get; }
    public double Plateau { get; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public double Rate { get; }

    /// <summary>The made-up validation result after <paramref name="step"/> steps (1 without a curve).</summary>
    public double ValidationAt(long step) => Rate == 0 ? 1 : Plateau * (1 - Math.Exp(-Rate * step));

    [JsonIgnore] public override string Task => NoopSchema.TaskName;
    [JsonIgnore] public override string RunName => Name;
    [JsonIgnore] public override long RunSeed => Seed;
    [JsonIgnore] public override long TotalSteps => Steps;
}
