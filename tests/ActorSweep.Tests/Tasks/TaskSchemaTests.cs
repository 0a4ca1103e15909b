using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using ActorSweep.Messages.Runs;
using ActorSweep.Messages.Serialization;
using ActorSweep.Tasks;
using ActorSweep.Tasks.Addition;
using ActorSweep.Tasks.Noop;

namespace ActorSweep.Tests.Tasks;

/// <summary>Typed run definitions: built once from option text, complete, and the same after any trip through JSON.</summary>
public sealed class TaskSchemaTests
{
    [Fact]
    public void Every_model_and_recipe_property_is_an_option_of_the_addition_task()
    {
        var names = TaskSchemas.Get("addition").OptionNames;
        foreach (var type in new[] { typeof(ModelOptions), typeof(TrainingRecipe) })
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                string name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);
                Assert.True(names.Contains(name), $"{type.Name}.{property.Name} ('{name}') cannot be set from a sweep file");
            }
        Assert.Contains("base", names);
        Assert.Contains("checkpoint_every", names);
    }

    [Fact]
    public void Options_become_a_typed_definition_with_the_base_resolved()
    {
        var definition = Assert.IsType<AdditionDefinition>(TaskSchemas.Define("addition", "tuned", 7, new Dictionary<string, string>
        {
            ["base"] = "\"pico-7d-ff14-lr02\"", ["lr"] = "0.005", ["positions"] = "\"rope\"", ["curriculum"] = "[[1,3,10],{\"min_digits\":1,\"max_digits\":10,\"steps\":30}]",
            ["steps"] = "40", ["checkpoint_every"] = "20",
        }));
        Assert.Equal(("tuned", 7L, "pico-7d-ff14-lr02"), (definition.RunName, definition.RunSeed, definition.Base));
        Assert.Equal((7, 14, false, true), (definition.Run.Model.DModel, definition.Run.Model.DFf, definition.Run.Model.FfnBias, definition.Run.Model.TiedEmbeddings));
        Assert.Equal(PositionScheme.Rope, definition.Run.Model.Positions);
        Assert.Equal((0.005, 0.05, 40), (definition.Run.Recipe.PeakLearningRate, definition.Run.Recipe.WarmupRatio, definition.Run.Recipe.Steps));
        Assert.Equal([new CurriculumPhase(1, 3, 10), new CurriculumPhase(1, 10, 30)], definition.Run.Recipe.Curriculum);
        Assert.Equal((20, 40L, 532L), (definition.CheckpointEvery, definition.TotalSteps, definition.ParameterCount!.Value));
    }

    [Theory]
    [InlineData("d_modle", "7", "'d_modle' is not an option of task 'addition' (did you mean 'd_model'?)")]
    [InlineData("d_model", "\"wide\"", "option 'd_model': \"wide\" is not an integer")]
    [InlineData("norm", "\"batchnorm\"", "option 'norm': \"batchnorm\" is not one of layernorm, rmsnorm")]
    [InlineData("ffn", "\"relu\"", "option 'ffn': \"relu\" is not one of gelu, swiglu")]
    [InlineData("base", "\"pico-9\"", "unknown model 'pico-9'.")]
    [InlineData("checkpoint_every", "0", "option 'checkpoint_every': must be at least 1")]
    [InlineData("curriculum", "[[1,11,5]]", "option 'curriculum': curriculum phase 1-11 digits")]
    public void A_bad_option_is_refused_naming_it(string name, string json, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => TaskSchemas.Get("addition").Read(name, json));
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void Rules_that_span_options_are_checked_when_the_run_is_defined()
    {
        var e = Assert.Throws<ArgumentException>(() => TaskSchemas.Define("addition", "x", 1, new Dictionary<string, string> { ["d_model"] = "6", ["n_heads"] = "4" }));
        Assert.Equal("model option 'n_heads' = 4: must divide d_model (6), or set head_dim", e.Message);
    }

    [Fact]
    public void A_definition_is_the_same_after_the_journal_the_wire_and_the_api()
    {
        RunDefinition[] definitions =
        [
            TaskSchemas.Define("addition", "a", 3, new Dictionary<string, string> { ["base"] = "\"pico-7d-ff14-lr02\"", ["curriculum"] = "[[1,2,5]]", ["steps"] = "5", ["head_dim"] = "4", ["ffn"] = "\"swiglu\"", ["tied_kv"] = "true", ["tied_oq"] = "true" }),
            TaskSchemas.Define("noop", "n", 4, new Dictionary<string, string> { ["steps"] = "9", ["step_seconds"] = "0.5" }),
        ];
        foreach (var definition in definitions)
        {
            var spec = new RunSpec("r@s1", definition, ImmutableSortedDictionary<string, string>.Empty.Add("steps", "5"));
            var back = JsonSerializer.Deserialize<RunSpec>(JsonSerializer.Serialize(spec, SweepMessageSerializer.Json), SweepMessageSerializer.Json)!;
            Assert.Equal(JsonSerializer.Serialize(definition, TaskJson.Options), JsonSerializer.Serialize(back.Definition, TaskJson.Options));
            Assert.Equal((definition.Task, definition.RunName, definition.RunSeed, definition.TotalSteps, definition.CheckpointEvery),
                         (back.Task, back.Name, back.Seed, back.Definition.TotalSteps, back.Definition.CheckpointEvery));
        }
        // The stored form names the task and uses the sweep file's option names.
        string json = JsonSerializer.Serialize(definitions[0], TaskJson.Options);
        Assert.StartsWith("{\"task\":\"addition\",", json);
        Assert.Contains("\"d_model\":7", json);
        Assert.Contains("\"lr\":0.02", json);
        Assert.Contains("\"head_dim\":4", json);
    }

    [Fact]
    public void Noop_defaults_and_ranges()
    {
        var noop = Assert.IsType<NoopDefinition>(TaskSchemas.Define("noop", "n", 1, new Dictionary<string, string> { ["steps"] = "12" }));
        Assert.Equal((12L, 0.0, 12), (noop.Steps, noop.StepSeconds, noop.CheckpointEvery));
        Assert.Equal("option 'step_seconds': -1 is out of range", Assert.Throws<ArgumentException>(() => TaskSchemas.Get("noop").Read("step_seconds", "-1")).Message);
        Assert.Equal("'stepz' is not an option of task 'noop' (did you mean 'steps'?)", Assert.Throws<ArgumentException>(() => TaskSchemas.Get("noop").Read("stepz", "1")).Message);
    }
}
