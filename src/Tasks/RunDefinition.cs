using System.Text.Json.Serialization;
using ActorSweep.Tasks.Addition;
using ActorSweep.Tasks.Noop;

namespace ActorSweep.Tasks;

/// <summary>
/// What one run trains, typed and validated. It is built once, when the sweep file is read
/// (<see cref="ITaskSchema.Define"/>), and from then on journaled, sent to the worker and used by
/// the trainer and the reports as it is: nothing downstream reads option text again.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "task")]
[JsonDerivedType(typeof(AdditionDefinition), AdditionSchema.TaskName)]
[JsonDerivedType(typeof(NoopDefinition), NoopSchema.TaskName)]
public abstract record RunDefinition
{
    /// <summary>The task kind ("addition", "noop"), the name sweep files use.</summary>
    [JsonIgnore] public abstract string Task { get; }
    /// <summary>The configuration's name (a grid point, a random sample, an explicit run).</summary>
    [JsonIgnore] public abstract string Name { get; }
    /// <summary>The run's seed: everything random in it derives from this.</summary>
    [JsonIgnore] public abstract long Seed { get; }
    /// <summary>Training steps of the whole run.</summary>
    [JsonIgnore] public abstract long Steps { get; }
    /// <summary>Steps between checkpoints.</summary>
    [JsonIgnore] public abstract int CheckpointEvery { get; }
    /// <summary>Parameters of the trained model, where the task has a model.</summary>
    [JsonIgnore] public virtual long? ParameterCount => null;
    /// <summary>The built-in configuration the run starts from, if any.</summary>
    [JsonIgnore] public virtual string? Base => null;
}
