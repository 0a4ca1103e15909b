using System.Text.Json.Serialization;

namespace ActorSweep.Tasks.Addition;

/// <summary>
/// A run of the addition task as a sweep holds it: the trained model's definition, how often it
/// checkpoints, and the built-in configuration it started from (for the seed's reported figure).
/// </summary>
public sealed record AdditionDefinition : RunDefinition
{
    public AdditionDefinition(AdditionRun run, int checkpointEvery, string? baseName = null) : base(checkpointEvery)
    {
        Run = run;
        BaseName = baseName;
    }

    public AdditionRun Run { get; }
    [JsonPropertyName("base")] public string? BaseName { get; }

    [JsonIgnore] public override string Task => AdditionSchema.TaskName;
    [JsonIgnore] public override string RunName => Run.Name;
    [JsonIgnore] public override long RunSeed => Run.Seed;
    [JsonIgnore] public override long TotalSteps => Run.Recipe.Steps;
    [JsonIgnore] public override long? ParameterCount => Run.Model.ParameterCount;
    [JsonIgnore] public override double? EstimatedTrainingBytes => Run.Model.EstimatedTrainingBytes(Run.Recipe.BatchSize);
    [JsonIgnore] public override string? Base => BaseName;
    public override bool EvaluatesAt(long step) => step % Run.Recipe.EvalEvery == 0 || step == Run.Recipe.Steps;
}
