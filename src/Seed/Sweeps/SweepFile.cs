using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using ActorSweep.Tasks;
using ActorSweep.Tasks.Addition;
using ActorSweep.Messages.Runs;
using ActorSweep.Messages.Sweeps;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ActorSweep.Seed.Sweeps;

/// <summary>A sweep file that cannot be used; the message names the file, line, column and field.</summary>
public sealed class SweepFileException(string message) : Exception(message);

/// <summary>
/// Reads a sweep file (YAML) into a validated <see cref="SweepDefinition"/>: configurations from
/// an explicit <c>runs</c> list, a <c>grid</c> and/or a <c>random</c> search, each trained once
/// per seed. Option precedence: a run's <c>base</c> configuration, then the sweep's <c>budget</c>
/// and <c>defaults</c>, then the configuration's own options. The README's "Sweep files" section shows the format.
/// Every option is read once, here, into its typed value, and every run into its typed
/// <see cref="RunDefinition"/>: nothing after this reads option text again.
/// </summary>
public static class SweepFile
{
    public const int MaxRuns = 100_000;
    /// <summary>The default bound on a run's model (sweep key <c>max_parameters</c>).</summary>
    public const long DefaultMaxParameters = 10_000_000;

    public static SweepDefinition Load(string path)
    {
        if (!File.Exists(path)) throw new SweepFileException($"{path}: no such sweep file");
        return Parse(File.ReadAllText(path), path);
    }

    public static SweepDefinition Parse(string yaml, string source) => new Reader(source).Read(yaml);

    internal sealed class Reader(string source)
    {
        SchedulerSections Schedules => new(this);

        static readonly string[] TopLevelKeys = ["name", "task", "description", "seeds", "retries", "lease", "max_parameters", "budget", "defaults", "runs", "grid", "random", "scheduler", "stop", "search"];
        static readonly string[] BudgetKeys = ["steps", "eval_every", "checkpoint_every"];
        ITaskSchema _task = null!;

        public SweepDefinition Read(string yaml)
        {
            var stream = new YamlStream();
            try { stream.Load(new StringReader(yaml)); }
            catch (YamlException e) { throw new SweepFileException($"{source}:{e.Start.Line}:{e.Start.Column}: not valid YAML: {e.Message}"); }
            if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
                throw new SweepFileException($"{source}: a sweep file is one YAML mapping (name:, task:, runs:/grid:/random:)");

            CheckKeys(root, TopLevelKeys, "top level");
            string name = RequiredScalar(root, "name");
            if (!SweepId.IsValid(name))
                throw Error(Value(root, "name")!, $"name '{name}' must be {SweepId.Rule}");
            string taskName = RequiredScalar(root, "task");
            try { _task = TaskSchemas.Get(taskName); }
            catch (ArgumentException e) { throw Error(Value(root, "task")!, e.Message); }

            var seeds = Value(root, "seeds") is { } seedsNode ? Seeds(seedsNode, "seeds") : [42L];
            int retries = Value(root, "retries") is { } retriesNode ? Int(retriesNode, "retries", min: 0, max: 100) : 2;
            int lease = Value(root, "lease") is { } leaseNode ? Int(leaseNode, "lease", min: 1, max: 86_400) : SweepDefinition.DefaultLeaseSeconds;
            long maxParameters = Value(root, "max_parameters") is { } maxNode ? Int(maxNode, "max_parameters", min: 1, max: int.MaxValue) : DefaultMaxParameters;

            var shared = new SortedDictionary<string, OptionValue>(StringComparer.Ordinal);
            if (Value(root, "budget") is { } budget)
            {
                var map = Mapping(budget, "budget");
                CheckKeys(map, BudgetKeys, "budget");
                foreach (var (key, value) in Entries(map)) shared[key.Value!] = Option(key, value, $"budget.{key.Value}");
            }
            if (Value(root, "defaults") is { } defaults)
                foreach (var (key, value) in Entries(Mapping(defaults, "defaults"))) shared[key.Value!] = Option(key, value, $"defaults.{key.Value}");

            CheckSize(root, seeds);
            var searchNode = Value(root, "search");
            if (searchNode is not null) Schedules.CheckSearchShape(searchNode, root, seeds);
            var configurations = new List<Configuration>();
            if (Value(root, "runs") is { } runs) configurations.AddRange(Explicit(runs, seeds));
            if (Value(root, "grid") is { } grid) configurations.AddRange(Grid(grid, seeds));
            RandomSpace? space = null;
            if (Value(root, "random") is { } random)
            {
                space = Space(random);
                configurations.AddRange(Draws(space, seeds, searchNode is null ? "random-" : TpeSearch.TrialPrefix));
            }
            if (configurations.Count == 0) configurations.Add(new Configuration("default", new(), seeds, root));

            var specs = new List<RunSpec>();
            var seen = new Dictionary<string, YamlNode>();
            foreach (var config in configurations)
            {
                var options = new SortedDictionary<string, OptionValue>(shared, StringComparer.Ordinal);
                foreach (var (k, v) in config.Options) options[k] = v;
                foreach (long seed in config.Seeds)
                {
                    string runId = $"{config.Name}@s{seed}";
                    if (seen.TryGetValue(runId, out var first))
                        throw Error(config.Node, $"run '{runId}' is defined twice (first at line {first.Start.Line}); give the configurations distinct names");
                    seen[runId] = config.Node;
                    RunDefinition definition;
                    try { definition = _task.Define(config.Name, seed, options.Values); }
                    catch (ArgumentException e) { throw Error(config.Node, $"configuration '{config.Name}': {e.Message}"); }
                    if (definition.ParameterCount > maxParameters)
                        throw Error(config.Node, $"configuration '{config.Name}': its model has {definition.ParameterCount:N0} parameters " +
                                                 $"(about {Gigabytes(definition.EstimatedTrainingBytes)} to train), more than max_parameters {maxParameters:N0}; " +
                                                 "raise max_parameters in the sweep file if you mean it");
                    specs.Add(new RunSpec(runId, definition, options.ToImmutableSortedDictionary(o => o.Key, o => o.Value.Json, StringComparer.Ordinal)));
                    if (specs.Count > MaxRuns) throw Error(config.Node, $"the sweep expands to more than {MaxRuns} runs");
                }
            }
            var list = specs.ToImmutableList();
            var scheduler = Value(root, "scheduler") is { } schedulerNode
                ? Schedules.Scheduler(schedulerNode, list, _task, space?.Dimensions.Select(d => d.Dimension).ToImmutableList() ?? [], space?.Seed ?? 0)
                : null;
            var stop = Value(root, "stop") is { } stopNode ? Schedules.Stop(stopNode, scheduler, list.Count) : null;
            var search = searchNode is null ? null : Schedules.Search(searchNode, scheduler, space!.Dimensions.Select(d => d.Dimension).ToImmutableList(), space.Seed, space.Samples);
            return new SweepDefinition(name, _task.Name, retries, list, source, Hash(_task.Name, retries, lease, list, scheduler, stop, search), lease, scheduler, stop, search);
        }

        /// <summary>
        /// How many runs the sweep will hold, counted from the file's shape before anything is
        /// expanded, so a huge grid is refused at once and in little memory.
        /// </summary>
        void CheckSize(YamlMappingNode root, long[] seeds)
        {
            double runs = 0;
            var parts = new List<string>();
            if (Value(root, "runs") is YamlSequenceNode list)
            {
                double n = list.Sum(item => item is YamlMappingNode m && Value(m, "seeds") is { } s ? (s is YamlSequenceNode seq ? seq.Children.Count : 1) : seeds.Length);
                runs += n;
                parts.Add($"runs: {n:N0}");
            }
            if (Value(root, "grid") is YamlMappingNode grid)
            {
                var sizes = grid.Children.Values.Select(v => v is YamlSequenceNode seq ? (double)seq.Children.Count : 1).ToList();
                double n = sizes.Aggregate(1.0, (a, b) => a * b) * seeds.Length;
                runs += n;
                parts.Add($"grid: {string.Join(" × ", sizes)} combinations × {seeds.Length} seed(s)");
            }
            if (Value(root, "random") is YamlMappingNode random && Value(random, "samples") is YamlScalarNode { Value: { } text }
                && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double samples) && samples > 0)
            {
                runs += samples * seeds.Length;
                parts.Add($"random: {samples:N0} samples × {seeds.Length} seed(s)");
            }
            if (runs > MaxRuns)
                throw Error(root, $"the sweep expands to {runs:N0} runs ({string.Join("; ", parts)}); a sweep may hold at most {MaxRuns:N0}");
        }

        static string Gigabytes(double? bytes) => bytes is { } b ? $"{b / (1L << 30):N1} GiB" : "unknown memory";

        IEnumerable<Configuration> Explicit(YamlNode node, long[] seeds)
        {
            if (node is not YamlSequenceNode list || list.Children.Count == 0)
                throw Error(node, "'runs' must be a non-empty list of configurations");
            int index = 0;
            foreach (var item in list)
            {
                index++;
                var map = Mapping(item, $"runs[{index}]");
                var options = new Dictionary<string, OptionValue>();
                string? name = null, baseName = null;
                long[] runSeeds = seeds;
                foreach (var (key, value) in Entries(map))
                {
                    if (key.Value == "name") name = Scalar(value, "runs.name");
                    else if (key.Value == "seeds") runSeeds = Seeds(value, $"runs[{index}].seeds");
                    else
                    {
                        options[key.Value!] = Option(key, value, $"runs[{index}].{key.Value}");
                        if (key.Value == AdditionSchema.BaseOption) baseName = Text(value);
                    }
                }
                name ??= baseName ?? $"run-{index}";
                yield return new Configuration(name, options, runSeeds, item);
            }
        }

        IEnumerable<Configuration> Grid(YamlNode node, long[] seeds)
        {
            var map = Mapping(node, "grid");
            var axes = new List<(string Key, List<(OptionValue Value, string Text)> Values)>();
            foreach (var (key, value) in Entries(map))
            {
                if (value is not YamlSequenceNode values || values.Children.Count == 0)
                    throw Error(value, $"grid.{key.Value}: expected a non-empty list of values");
                axes.Add((key.Value!, values.Select(v => (Option(key, v, $"grid.{key.Value}"), Text(v))).ToList()));
            }
            if (axes.Count == 0) throw Error(node, "'grid' needs at least one option with a list of values");
            IEnumerable<List<(string Key, OptionValue Value, string Text)>> combos = [[]];
            foreach (var axis in axes)
                combos = combos.SelectMany(c => axis.Values.Select(v => new List<(string, OptionValue, string)>(c) { (axis.Key, v.Value, v.Text) }));
            foreach (var combo in combos)
                yield return new Configuration(string.Join(',', combo.Select(c => $"{c.Key}={c.Text}")),
                    combo.ToDictionary(c => c.Key, c => c.Value), seeds, node);
        }

        /// <summary>The <c>random:</c> section: how many samples, the search seed, and the typed space.</summary>
        sealed record RandomSpace(int Samples, long Seed, List<(YamlScalarNode Key, SearchDimension Dimension)> Dimensions, YamlNode Node);

        RandomSpace Space(YamlNode node)
        {
            var map = Mapping(node, "random");
            CheckKeys(map, ["samples", "seed", "space"], "random");
            int samples = Int(Value(map, "samples") ?? throw Error(node, "random.samples is required"), "random.samples", 1, 10_000);
            long searchSeed = Value(map, "seed") is { } s ? Int(s, "random.seed", 0, int.MaxValue) : 0;
            var space = Mapping(Value(map, "space") ?? throw Error(node, "random.space is required"), "random.space");
            var dimensions = new List<(YamlScalarNode Key, SearchDimension Dimension)>();
            foreach (var (key, value) in Entries(space))
            {
                if (!_task.OptionNames.Contains(key.Value))
                    throw Error(key, $"random.space: '{key.Value}' is not an option of task '{_task.Name}'" + Suggestions.DidYouMean(key.Value!, _task.OptionNames));
                dimensions.Add((key, Distribution(key, value)));
            }
            return new RandomSpace(samples, searchSeed, dimensions, node);
        }

        /// <summary>The space's random draws, named <paramref name="prefix"/>001, ...: the configurations of random search, and TPE's trials before it chooses.</summary>
        IEnumerable<Configuration> Draws(RandomSpace space, long[] seeds, string prefix)
        {
            for (int i = 0; i < space.Samples; i++)
            {
                var options = new Dictionary<string, OptionValue>();
                for (int d = 0; d < space.Dimensions.Count; d++)
                {
                    var (key, dimension) = space.Dimensions[d];
                    var random = new RunRandom(space.Seed, RandomStream.Search, i * 1000L + d);
                    string json = dimension.Draw(ref random);
                    try { options[key.Value!] = _task.Read(key.Value!, json); }
                    catch (ArgumentException e) { throw Error(key, $"random.space.{key.Value}: {e.Message}"); }
                }
                yield return new Configuration($"{prefix}{i + 1:D3}", options, seeds, space.Node);
            }
        }

        SearchDimension Distribution(YamlScalarNode key, YamlNode node)
        {
            string where = $"random.space.{key.Value}";
            var map = Mapping(node, where);
            if (map.Children.Count != 1)
                throw Error(node, $"{where}: expected one of choice: [...], uniform: [low, high], log_uniform: [low, high], int_uniform: [low, high]");
            var (kindNode, argsNode) = Entries(map).Single();
            string kind = kindNode.Value!;
            if (argsNode is not YamlSequenceNode args || args.Children.Count == 0)
                throw Error(argsNode, $"{where}.{kind}: expected a list");
            if (kind == "choice")
                return new SearchDimension(key.Value!, DimensionKind.Choice, Choices: args.Select(a => Option(key, a, where).Json).ToImmutableList());
            if (args.Children.Count != 2) throw Error(args, $"{where}.{kind}: expected [low, high]");
            double low = Number(args[0], where), high = Number(args[1], where);
            if (!(low < high)) throw Error(args, $"{where}.{kind}: low must be below high");
            return kind switch
            {
                "uniform" => new SearchDimension(key.Value!, DimensionKind.Uniform, low, high),
                "log_uniform" when low > 0 => new SearchDimension(key.Value!, DimensionKind.LogUniform, low, high),
                "log_uniform" => throw Error(args, $"{where}.log_uniform: bounds must be positive"),
                "int_uniform" => new SearchDimension(key.Value!, DimensionKind.IntUniform, Math.Truncate(low), Math.Truncate(high)),
                _ => throw Error(kindNode, $"{where}: unknown distribution '{kind}'; use choice, uniform, log_uniform or int_uniform"),
            };
        }

        /// <summary>An option's value as canonical JSON, read by the task into its typed value.</summary>
        OptionValue Option(YamlScalarNode key, YamlNode value, string where)
        {
            string json = ToJson(value).ToJsonString();
            try { return _task.Read(key.Value!, json); }
            catch (ArgumentException e) { throw Error(key, $"{where}: {e.Message}"); }
        }

        JsonNode ToJson(YamlNode node) => node switch
        {
            YamlScalarNode s when s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted => JsonValue.Create(s.Value ?? "")!,
            YamlScalarNode s when long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l) => JsonValue.Create(l),
            YamlScalarNode s when double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) => JsonValue.Create(d),
            YamlScalarNode { Value: "true" or "True" or "TRUE" } => JsonValue.Create(true),
            YamlScalarNode { Value: "false" or "False" or "FALSE" } => JsonValue.Create(false),
            YamlScalarNode { Value: null or "" or "~" or "null" } => throw Error(node, "a value is missing"),
            YamlScalarNode s => JsonValue.Create(s.Value)!,
            YamlSequenceNode seq => new JsonArray(seq.Select(ToJson).ToArray()),
            YamlMappingNode map => new JsonObject(Entries(map).Select(e => KeyValuePair.Create(e.Key.Value!, (JsonNode?)ToJson(e.Value)))),
            _ => throw Error(node, "unsupported YAML value"),
        };

        static string Text(YamlNode node) => node is YamlScalarNode s ? s.Value ?? "" : node.ToString();

        long[] Seeds(YamlNode node, string where)
        {
            var items = node is YamlSequenceNode seq ? seq.Children.ToList() : [node];
            if (items.Count == 0) throw Error(node, $"{where}: list at least one seed");
            var seeds = items.Select(i => (long)Int(i, where, 0, int.MaxValue)).ToArray();
            if (seeds.Distinct().Count() != seeds.Length) throw Error(node, $"{where}: seeds must be distinct");
            return seeds;
        }

        internal int Int(YamlNode node, string where, int min, int max)
        {
            if (node is YamlScalarNode s && int.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v))
            {
                if (v < min || v > max) throw Error(node, $"{where}: {v} is outside [{min}, {max}]");
                return v;
            }
            throw Error(node, $"{where}: expected an integer, found '{Text(node)}'");
        }

        internal double Number(YamlNode node, string where) =>
            node is YamlScalarNode s && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)
                ? d
                : throw Error(node, $"{where}: expected a number, found '{Text(node)}'");

        string RequiredScalar(YamlMappingNode map, string key) =>
            Value(map, key) is { } node ? Scalar(node, key) : throw new SweepFileException($"{source}:{map.Start.Line}:{map.Start.Column}: '{key}' is required");

        internal string Scalar(YamlNode node, string where) =>
            node is YamlScalarNode { Value: { Length: > 0 } v } ? v : throw Error(node, $"{where}: expected a single value");

        internal YamlMappingNode Mapping(YamlNode node, string where) =>
            node as YamlMappingNode ?? throw Error(node, $"{where}: expected a mapping of name: value");

        internal static YamlNode? Value(YamlMappingNode map, string key) =>
            map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

        internal IEnumerable<(YamlScalarNode Key, YamlNode Value)> Entries(YamlMappingNode map)
        {
            foreach (var (key, value) in map.Children)
                yield return (key as YamlScalarNode ?? throw Error(key, "keys must be plain names"), value);
        }

        internal void CheckKeys(YamlMappingNode map, string[] allowed, string where)
        {
            foreach (var (key, _) in Entries(map))
                if (!allowed.Contains(key.Value))
                    throw Error(key, $"'{key.Value}' is not a {where} key" + Suggestions.DidYouMean(key.Value!, allowed, otherwise: $" (expected {string.Join(", ", allowed)})"));
        }

        internal SweepFileException Error(YamlNode node, string message) => new($"{source}:{node.Start.Line}:{node.Start.Column}: {message}");
    }

    sealed record Configuration(string Name, Dictionary<string, OptionValue> Options, long[] Seeds, YamlNode Node);

    /// <summary>
    /// The content hash: of the task, retries, lease and every run as the sweep file gave it (id,
    /// task, name, seed, option text). Its form is the one release 0.1 hashed, so sweeps journaled
    /// then keep their hash and resume.
    /// </summary>
    static string Hash(string task, int retries, int lease, ImmutableList<RunSpec> specs, SchedulerSpec? scheduler, StopSpec? stop, TpeSearch? search)
    {
        var runs = specs.Select(r => new { r.RunId, r.Task, r.Name, r.Seed, r.Options });
        // The lease, scheduler and stop rules join the hash only when set, so sweeps written before they existed keep their hash.
        var canonical = lease == SweepDefinition.DefaultLeaseSeconds
            ? JsonSerializer.SerializeToUtf8Bytes(new { task, retries, runs })
            : JsonSerializer.SerializeToUtf8Bytes(new { task, retries, lease, runs });
        if (scheduler is not null || stop is not null)
            canonical = [.. canonical, .. JsonSerializer.SerializeToUtf8Bytes(new { scheduler, stop }, SweepMessageJson)];
        if (search is not null) // the search joins the hash only when set, like the scheduler
            canonical = [.. canonical, .. JsonSerializer.SerializeToUtf8Bytes(new { search }, SweepMessageJson)];
        return Convert.ToHexStringLower(SHA256.HashData(canonical))[..16];
    }

    static JsonSerializerOptions SweepMessageJson => ActorSweep.Messages.Serialization.SweepMessageSerializer.Json;
}
