namespace ActorSweep.Tasks.Addition;

/// <summary>
/// Everything that determines a trained adder: its configuration name, model, recipe and seed.
/// A checkpoint's header holds it, so a checkpoint resumes only the run it was written by.
/// </summary>
public sealed record AdditionRun(string Name, ModelOptions Model, TrainingRecipe Recipe, long Seed)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("a run needs a name");
        Model.Validate();
        Recipe.Validate();
    }

    /// <summary>
    /// Whether two definitions train the same model bit for bit. Compared by their JSON form: the
    /// recipe's curriculum is a list, which records compare by reference.
    /// </summary>
    public bool SameAs(AdditionRun other) =>
        System.Text.Json.JsonSerializer.Serialize(this, TaskJson.Options) == System.Text.Json.JsonSerializer.Serialize(other, TaskJson.Options);
}
