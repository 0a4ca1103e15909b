using System.Text.Json.Serialization;

namespace ActorSweep.Tasks.Noop;

/// <summary>
/// A run that trains nothing: <see cref="Steps"/> empty steps, each lasting
/// <see cref="StepSeconds"/>, checkpointed every <see cref="CheckpointEvery"/>. It measures the
/// runner itself and lets tests drive the supervisor, node agents and persistence without a model.
/// </summary>
public sealed record NoopDefinition : RunDefinition
{
    public NoopDefinition(string name, long seed, long steps, double stepSeconds, int checkpointEvery)
    {
        RunName = name;
        RunSeed = seed;
        Steps = steps;
        StepSeconds = stepSeconds;
        CheckpointEvery = checkpointEvery;
    }

    [JsonPropertyName("name")] public string RunName { get; init; }
    [JsonPropertyName("seed")] public long RunSeed { get; init; }
    [JsonPropertyName("steps")] public override long Steps { get; }
    public double StepSeconds { get; init; }
    [JsonPropertyName("checkpoint_every")] public override int CheckpointEvery { get; }

    [JsonIgnore] public override string Task => NoopSchema.TaskName;
    [JsonIgnore] public override string Name => RunName;
    [JsonIgnore] public override long Seed => RunSeed;
}
