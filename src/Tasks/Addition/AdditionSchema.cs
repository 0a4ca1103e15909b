using System.Text.Json;
using System.Text.Json.Nodes;

namespace ActorSweep.Tasks.Addition;

/// <summary>
/// The options of the addition task (docs/WORKLOAD.md): <c>base</c> (a built-in configuration),
/// every model option, every recipe option, and <c>checkpoint_every</c> (default: eval_every).
/// Precedence: the base first, then the run's other options.
/// </summary>
public sealed class AdditionSchema : ITaskSchema
{
    public const string TaskName = "addition";
    public const string BaseOption = "base";

    /// <summary>A definition being built from options.</summary>
    sealed record Draft(ModelOptions Model, TrainingRecipe Recipe, int? CheckpointEvery);

    static readonly OptionTable<Draft> Table = new OptionTable<Draft>(TaskName)
        .Add<NamedConfiguration>(BaseOption, (d, _) => d, json => SeedConfigurations.Get(OptionTable<Draft>.Parse(BaseOption, json, typeof(string)) as string ?? ""))
        .Add<int>("checkpoint_every", (d, v) => d with { CheckpointEvery = v }, json => AtLeastOne("checkpoint_every", json))
        // Model
        .Add<int>("n_layers", (d, v) => d with { Model = d.Model with { Layers = v } })
        .Add<int>("d_model", (d, v) => d with { Model = d.Model with { DModel = v } })
        .Add<int>("n_heads", (d, v) => d with { Model = d.Model with { Heads = v } })
        .Add<int>("head_dim", (d, v) => d with { Model = d.Model with { HeadWidth = v } })
        .Add<int>("d_ff", (d, v) => d with { Model = d.Model with { DFf = v } })
        .Add<FfnKind>("ffn", (d, v) => d with { Model = d.Model with { Ffn = v } })
        .Add<bool>("ffn_bias", (d, v) => d with { Model = d.Model with { FfnBias = v } })
        .Add<bool>("tied_embeddings", (d, v) => d with { Model = d.Model with { TiedEmbeddings = v } })
        .Add<PositionScheme>("positions", (d, v) => d with { Model = d.Model with { Positions = v } })
        .Add<NormKind>("norm", (d, v) => d with { Model = d.Model with { Norm = v } })
        .Add<bool>("delimiters", (d, v) => d with { Model = d.Model with { Delimiters = v } })
        .Add<bool>("tied_qk", (d, v) => d with { Model = d.Model with { TiedQk = v } })
        .Add<bool>("reversed_operands", (d, v) => d with { Model = d.Model with { ReversedOperands = v } })
        .Add<bool>("tied_kv", (d, v) => d with { Model = d.Model with { TiedKv = v } })
        .Add<bool>("tied_vo", (d, v) => d with { Model = d.Model with { TiedVo = v } })
        .Add<bool>("tied_oq", (d, v) => d with { Model = d.Model with { TiedOq = v } })
        .Add<bool>("qk_norm", (d, v) => d with { Model = d.Model with { QkNorm = v } })
        .Add<int>("embedding_rank", (d, v) => d with { Model = d.Model with { EmbeddingRank = v } })
        .Add<int>("position_rank", (d, v) => d with { Model = d.Model with { PositionRank = v } })
        .Add<double>("rope_base", (d, v) => d with { Model = d.Model with { RopeBase = v } })
        .Add<double>("norm_epsilon", (d, v) => d with { Model = d.Model with { NormEpsilon = v } })
        // Recipe
        .Add<double>("lr", (d, v) => d with { Recipe = d.Recipe with { PeakLearningRate = v } })
        .Add<double>("warmup_ratio", (d, v) => d with { Recipe = d.Recipe with { WarmupRatio = v } })
        .Add<double>("final_lr_ratio", (d, v) => d with { Recipe = d.Recipe with { FinalLearningRateRatio = v } })
        .Add<double>("decay_ratio", (d, v) => d with { Recipe = d.Recipe with { DecayRatio = v } })
        .Add<double>("weight_decay", (d, v) => d with { Recipe = d.Recipe with { WeightDecay = v } })
        .Add<double>("final_weight_decay", (d, v) => d with { Recipe = d.Recipe with { FinalWeightDecay = v } })
        .Add<double>("beta1", (d, v) => d with { Recipe = d.Recipe with { Beta1 = v } })
        .Add<double>("beta2", (d, v) => d with { Recipe = d.Recipe with { Beta2 = v } })
        .Add<double>("epsilon", (d, v) => d with { Recipe = d.Recipe with { Epsilon = v } })
        .Add<double>("clip_norm", (d, v) => d with { Recipe = d.Recipe with { ClipNorm = v } })
        .Add<int>("batch_size", (d, v) => d with { Recipe = d.Recipe with { BatchSize = v } })
        .Add<int>("steps", (d, v) => d with { Recipe = d.Recipe with { Steps = v } })
        .Add<IReadOnlyList<CurriculumPhase>>("curriculum", (d, v) => d with { Recipe = d.Recipe with { Curriculum = v } }, ReadCurriculum)
        .Add<int>("eval_digits", (d, v) => d with { Recipe = d.Recipe with { EvalDigits = v } })
        .Add<int>("validation_size", (d, v) => d with { Recipe = d.Recipe with { ValidationSize = v } })
        .Add<int>("test_size", (d, v) => d with { Recipe = d.Recipe with { TestSize = v } })
        .Add<int>("eval_every", (d, v) => d with { Recipe = d.Recipe with { EvalEvery = v } })
        .Add<int>("eval_size", (d, v) => d with { Recipe = d.Recipe with { EvalSize = v } })
        .Add<int>("log_every", (d, v) => d with { Recipe = d.Recipe with { LogEvery = v } })
        .Add<double>("grokfast_alpha", (d, v) => d with { Recipe = d.Recipe with { GrokfastAlpha = v } })
        .Add<double>("grokfast_lamb", (d, v) => d with { Recipe = d.Recipe with { GrokfastLamb = v } })
        .Add<double>("carry_share", (d, v) => d with { Recipe = d.Recipe with { CarryShare = v } })
        .Add<double>("carry_fade", (d, v) => d with { Recipe = d.Recipe with { CarryFade = v } });

    public string Name => TaskName;
    public IReadOnlyCollection<string> OptionNames => Table.Names;

    public OptionValue Read(string name, string json) => Table.Read(name, json);

    /// <summary>The recipe's per-step numbers: the learning-rate schedule (a pure function of the step), AdamW's, and clipping.</summary>
    public IReadOnlyCollection<string> MutableOptions { get; } = ["lr", "warmup_ratio", "final_lr_ratio", "decay_ratio", "weight_decay", "final_weight_decay", "beta1", "beta2", "epsilon", "clip_norm"];

    public RunDefinition Define(string name, long seed, IReadOnlyCollection<OptionValue> options)
    {
        var baseConfig = options.FirstOrDefault(o => o.Name == BaseOption)?.Value as NamedConfiguration;
        var draft = new Draft(baseConfig?.Model ?? new ModelOptions(), baseConfig?.Recipe() ?? new TrainingRecipe(), null);
        foreach (var option in options.Where(o => o.Name != BaseOption)) draft = Table.Apply(draft, option);
        var run = new AdditionRun(name, draft.Model, draft.Recipe, seed);
        run.Validate();
        return new AdditionDefinition(run, draft.CheckpointEvery ?? draft.Recipe.EvalEvery, baseConfig?.Name);
    }

    static int AtLeastOne(string name, string json) =>
        (int)OptionTable<Draft>.Parse(name, json, typeof(int))! is var v && v >= 1 ? v : throw new ArgumentException($"option '{name}': must be at least 1");

    /// <summary>A curriculum as [[min, max, steps], ...] or [{min_digits, max_digits, steps}, ...].</summary>
    static IReadOnlyList<CurriculumPhase> ReadCurriculum(string json)
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
                    JsonObject o => o.Deserialize<CurriculumPhase>(TaskJson.Options)!,
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
}
