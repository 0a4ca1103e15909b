using System.Text.Json;

namespace ActorSweep.Tasks.Addition;

/// <summary>A built-in configuration: one entry of the seed's sweep, with the figures its report gives.</summary>
public sealed record NamedConfiguration(string Name, ModelOptions Model, double LearningRate, double WarmupRatio,
                                        long ReportedParameters, string ReportedAccuracy)
{
    /// <summary>The seed's recipe with this configuration's learning rate and warmup, over (by default) 27,000 steps.</summary>
    public TrainingRecipe Recipe(int? steps = null) =>
        new() { PeakLearningRate = LearningRate, WarmupRatio = WarmupRatio, Steps = steps ?? 27000 };

    /// <summary>The run this configuration makes with the seed's recipe and a seed.</summary>
    public AdditionRun ToRun(long seed = 42, int? steps = null) => new(Name, Model, Recipe(steps), seed);
}

/// <summary>Every configuration of the seed's sweep (seed-sweep.json beside this file: the seed's 53 configurations with their
/// reported parameter counts and accuracies; docs/WORKLOAD.md describes them).</summary>
public static class SeedConfigurations
{
    static readonly Lazy<IReadOnlyList<NamedConfiguration>> s_all = new(Load);

    public static IReadOnlyList<NamedConfiguration> All => s_all.Value;

    public static NamedConfiguration? Find(string name) =>
        All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The configuration of that name, or an error listing close names.</summary>
    public static NamedConfiguration Get(string name)
    {
        var found = Find(name);
        if (found is not null) return found;
        var close = All.Select(c => c.Name)
            .Where(n => n.Contains(name, StringComparison.OrdinalIgnoreCase) || name.Contains(n.Split('-')[0], StringComparison.OrdinalIgnoreCase))
            .Take(5).ToList();
        string hint = close.Count > 0 ? $" Similar: {string.Join(", ", close)}." : "";
        throw new ArgumentException($"unknown model '{name}'.{hint} 'actorsweep models' lists all {All.Count}.");
    }

    static IReadOnlyList<NamedConfiguration> Load()
    {
        using var stream = typeof(SeedConfigurations).Assembly.GetManifestResourceStream("ActorSweep.Tasks.Addition.seed-sweep.json")
                           ?? throw new InvalidOperationException("the embedded seed-sweep.json is missing");
        var entries = JsonSerializer.Deserialize<List<Entry>>(stream, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!;
        return entries.Select(e => new NamedConfiguration(e.Name,
            new ModelOptions
            {
                Layers = e.NLayers, Heads = e.NHeads, DModel = e.DModel, DFf = e.DFf, FfnBias = e.FfnBias,
                TiedEmbeddings = e.TiedEmbeddings, Positions = e.Positions, Norm = e.Norm, Delimiters = e.Delimiters,
                TiedQk = e.TiedQk,
            },
            e.Lr, e.WarmupRatio, e.Params, e.ReportedTestAccuracy)).ToList();
    }

    sealed record Entry(string Name, int NLayers, int NHeads, int DModel, int DFf, double Lr, double WarmupRatio,
                        bool FfnBias, bool TiedEmbeddings, PositionScheme Positions, NormKind Norm, bool Delimiters,
                        bool TiedQk, long Params, string ReportedTestAccuracy);
}
