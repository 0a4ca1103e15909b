using System.Text.Json.Serialization;

namespace ActorSweep.Tasks;

/// <summary>
/// What one run trains, typed and validated. It is built once, when the sweep file is read
/// (<see cref="ITaskSchema.Define"/>), and from then on journaled, sent to the worker and used by
/// the trainer and the reports as it is: nothing downstream reads option text again. Stored as
/// JSON in the form of <see cref="TaskJson"/>, which names the task in a "task" field.
/// </summary>
public abstract record RunDefinition
{
    protected RunDefinition(int checkpointEvery) => CheckpointEvery = checkpointEvery;

    /// <summary>Steps between checkpoints.</summary>
    [JsonPropertyName("checkpoint_every")] public int CheckpointEvery { get; }

    /// <summary>The task kind ("addition", "noop"), the name sweep files use.</summary>
    [JsonIgnore] public abstract string Task { get; }
    /// <summary>The configuration's name (a grid point, a random sample, an explicit run).</summary>
    [JsonIgnore] public abstract string RunName { get; }
    /// <summary>The run's seed: everything random in it derives from this.</summary>
    [JsonIgnore] public abstract long RunSeed { get; }
    /// <summary>Training steps of the whole run.</summary>
    [JsonIgnore] public abstract long TotalSteps { get; }
    /// <summary>Parameters of the trained model, where the task has a model.</summary>
    [JsonIgnore] public virtual long? ParameterCount => null;
    /// <summary>Memory training it needs, roughly, where the task has a model (for the size bound's message).</summary>
    [JsonIgnore] public virtual double? EstimatedTrainingBytes => null;
    /// <summary>The built-in configuration the run starts from, if any.</summary>
    [JsonIgnore] public virtual string? Base => null;
    /// <summary>Whether the run evaluates after this step, so a scheduler's rung there sees a fresh result.</summary>
    public virtual bool EvaluatesAt(long step) => true;
}
