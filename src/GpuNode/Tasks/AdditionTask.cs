using System.Text.Json;
using System.Text.Json.Nodes;
using ActorSweep.GpuNode.Addition;
using ActorSweep.GpuNode.Models;
using ActorSweep.GpuNode.Training;
using ActorSweep.Messages.Results;
using ActorSweep.Messages.Runs;

namespace ActorSweep.GpuNode.Tasks;

/// <summary>
/// The seed's workload. Options: <c>base</c> (a built-in configuration), every model option
/// (n_layers, d_model, ...), every training option (lr, steps, curriculum, ...), and
/// <c>checkpoint_every</c>. Precedence: the base, then the run's options.
/// </summary>
public sealed class AdditionTask : IRunTask
{
    public const string BaseOption = "base";
    public const string CheckpointEveryOption = "checkpoint_every";

    static readonly IReadOnlyDictionary<string, Type> ModelOptionTypes = OptionSchema.Of<ModelOptions>(RunDefinition.Json);
    static readonly IReadOnlyDictionary<string, Type> RecipeOptionTypes = OptionSchema.Of<TrainingRecipe>(RunDefinition.Json);

    public string Name => "addition";

    public IReadOnlyCollection<string> OptionNames { get; } =
        [BaseOption, CheckpointEveryOption, .. ModelOptionTypes.Keys, .. RecipeOptionTypes.Keys];

    public void ValidateOption(string name, string json)
    {
        if (name == BaseOption)
        {
            var baseName = OptionSchema.Parse(name, json, typeof(string), RunDefinition.Json) as string;
            SeedConfigurations.Get(baseName ?? "");
        }
        else if (name == CheckpointEveryOption)
        {
            if ((int)OptionSchema.Parse(name, json, typeof(int), RunDefinition.Json)! < 1)
                throw new ArgumentException($"option '{name}': must be at least 1");
        }
        else if (name == "curriculum") ParseCurriculum(json);
        else if (ModelOptionTypes.TryGetValue(name, out var modelType)) OptionSchema.Parse(name, json, modelType, RunDefinition.Json);
        else if (RecipeOptionTypes.TryGetValue(name, out var recipeType)) OptionSchema.Parse(name, json, recipeType, RunDefinition.Json);
        else
        {
            string? hint = OptionSchema.Closest(name, OptionNames);
            throw new ArgumentException($"'{name}' is not an option of task '{Name}'" + (hint is null ? "" : $" (did you mean '{hint}'?)"));
        }
    }

    public void Validate(RunSpec run) => Definition(run).Validate();

    public IRunSession Start(RunSpec run, byte[]? checkpoint)
    {
        var definition = Definition(run);
        Trainer trainer;
        if (checkpoint is null) trainer = new Trainer(definition);
        else
        {
            var saved = TrainingCheckpoint.FromBytes(checkpoint, $"checkpoint of run '{run.RunId}'");
            trainer = new Trainer(definition);
            trainer.Restore(saved);
        }
        return new AdditionSession(trainer, CheckpointEvery(run, definition));
    }

    /// <summary>The run's full definition: its base configuration with its options applied.</summary>
    public static RunDefinition Definition(RunSpec run)
    {
        foreach (var (name, json) in run.Options) new AdditionTask().ValidateOption(name, json);
        var start = run.Options.TryGetValue(BaseOption, out var baseJson)
            ? SeedConfigurations.Get(JsonSerializer.Deserialize<string>(baseJson)!).ToRun(run.Seed)
            : new RunDefinition(run.Name, new ModelOptions(), new TrainingRecipe(), run.Seed);

        var model = JsonSerializer.SerializeToNode(start.Model, RunDefinition.Json)!.AsObject();
        var recipe = JsonSerializer.SerializeToNode(start.Recipe, RunDefinition.Json)!.AsObject();
        foreach (var (name, json) in run.Options)
        {
            if (ModelOptionTypes.ContainsKey(name)) model[name] = JsonNode.Parse(json);
            else if (name == "curriculum") recipe[name] = JsonSerializer.SerializeToNode(ParseCurriculum(json), RunDefinition.Json);
            else if (RecipeOptionTypes.ContainsKey(name)) recipe[name] = JsonNode.Parse(json);
        }
        var definition = new RunDefinition(run.Name,
            model.Deserialize<ModelOptions>(RunDefinition.Json)!, recipe.Deserialize<TrainingRecipe>(RunDefinition.Json)!, run.Seed);
        definition.Validate();
        return definition;
    }

    static int CheckpointEvery(RunSpec run, RunDefinition definition) =>
        run.Options.TryGetValue(CheckpointEveryOption, out var json) ? JsonSerializer.Deserialize<int>(json) : definition.Recipe.EvalEvery;

    /// <summary>A curriculum as [[min, max, steps], ...] or [{min_digits, max_digits, steps}, ...].</summary>
    static List<CurriculumPhase> ParseCurriculum(string json)
    {
        const string shape = "option 'curriculum': expected a list of [min_digits, max_digits, steps]";
        JsonNode? node;
        try { node = JsonNode.Parse(json); }
        catch (JsonException) { throw new ArgumentException(shape); }
        if (node is not JsonArray phases || phases.Count == 0) throw new ArgumentException(shape);
        var result = new List<CurriculumPhase>();
        foreach (var phase in phases)
        {
            try
            {
                result.Add(phase switch
                {
                    JsonArray { Count: 3 } a => new CurriculumPhase(a[0]!.GetValue<int>(), a[1]!.GetValue<int>(), a[2]!.GetValue<int>()),
                    JsonObject o => o.Deserialize<CurriculumPhase>(RunDefinition.Json)!,
                    _ => throw new ArgumentException(shape),
                });
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
            {
                throw new ArgumentException(shape);
            }
        }
        try { _ = new Curriculum(result); }
        catch (ArgumentException e) { throw new ArgumentException($"option 'curriculum': {e.Message}"); }
        return result;
    }

    sealed class AdditionSession(Trainer trainer, int checkpointEvery) : IRunSession
    {
        public long Step => trainer.Step;
        public long TotalSteps => trainer.Run.Recipe.Steps;
        public int CheckpointEvery => checkpointEvery;
        public double? LastLoss { get; private set; } = trainer.History.Losses.LastOrDefault()?.Loss;
        public double? LastValidation => trainer.History.Validations.LastOrDefault()?.ExactMatch;
        public double ComputeSeconds => trainer.ElapsedSeconds;

        public void TrainStep()
        {
            LastLoss = trainer.TrainStep().Loss;
            if (trainer.EvaluationDue) trainer.Validate();
        }

        public byte[] Checkpoint() => trainer.Checkpoint().ToBytes();

        public RunReport Finish() => RunReports.Evaluate(trainer, trainer.ElapsedSeconds).Report;

        public void Dispose() => trainer.Dispose();
    }
}
