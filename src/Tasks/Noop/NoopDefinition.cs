using System.Text.Json.Serialization;

namespace ActorSweep.Tasks.Noop;

/// <summary>
/// A run that trains nothing: <see cref="Steps"/> empty steps, each lasting
/// <see cref="StepSeconds"/>, checkpointed every <see cref="CheckpointEvery"/>. It measures the
/// runner itself and lets tests drive the supervisor, node agents and persistence without a model.
/// </summary>
public sealed record NoopDefinition : RunDefinition
{
    public NoopDefinition(string name, long seed, long steps, double stepSeconds, int checkpointEvery) : base(checkpointEvery)
    {
        Name = name;
        Seed = seed;
        Steps = steps;
        StepSeconds = stepSeconds;
    }

    public string Name { get; }
    public long Seed { get; }
    public long Steps { get; }
    public double StepSeconds { get; }

    [JsonIgnore] public override string Task => NoopSchema.TaskName;
    [JsonIgnore] public override string RunName => Name;
    [JsonIgnore] public override long RunSeed => Seed;
    [JsonIgnore] public override long TotalSteps => Steps;
}
