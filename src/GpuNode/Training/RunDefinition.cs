using System.Text.Json;
using System.Text.Json.Serialization;
using ActorSweep.GpuNode.Models;

namespace ActorSweep.GpuNode.Training;

/// <summary>Everything that determines a training run: its configuration name, model, recipe and seed.</summary>
public sealed record RunDefinition(string Name, ModelOptions Model, TrainingRecipe Recipe, long Seed)
{
    /// <summary>The JSON form used by checkpoints and reports: snake_case, the seed's option names.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("a run needs a name");
        Model.Validate();
        Recipe.Validate();
    }
}
