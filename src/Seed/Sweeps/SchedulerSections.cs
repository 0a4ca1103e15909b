using System.Collections.Immutable;
using ActorSweep.Messages.Runs;
using ActorSweep.Messages.Sweeps;
using YamlDotNet.RepresentationModel;

namespace ActorSweep.Seed.Sweeps;

/// <summary>
/// Reads a sweep file's <c>scheduler:</c>, <c>stop:</c> and <c>search:</c> sections into their typed records,
/// checked against the runs they will govern (a rung must lie inside every run's budget, where
/// the run evaluates). Errors carry the file, line and column like every sweep-file error.
/// </summary>
sealed class SchedulerSections(SweepFile.Reader reader)
{
    static readonly string[] Kinds = ["asha", "hyperband", "median", "pbt"];
    static readonly string[] PbtKeys = ["type", "metric", "mode", "interval", "quantile", "perturb", "resample_probability"];
    static readonly string[] MedianKeys = ["type", "metric", "mode", "grace_steps", "min_runs"];
    static readonly string[] AshaKeys = ["type", "metric", "mode", "min_steps", "reduction_factor", "max_steps"];
    static readonly string[] HyperbandKeys = [.. AshaKeys, "brackets"];

    /// <param name="space">The <c>random:</c> space, where PBT resamples an option from.</param>
    public SchedulerSpec Scheduler(YamlNode node, ImmutableList<RunSpec> runs, ActorSweep.Tasks.ITaskSchema task, ImmutableList<SearchDimension> space, long seed)
    {
        var map = reader.Mapping(node, "scheduler");
        var typeNode = SweepFile.Reader.Value(map, "type") ?? throw reader.Error(node, $"scheduler.type is required: one of {string.Join(", ", Kinds)}");
        string type = reader.Scalar(typeNode, "scheduler.type");
        if (!Kinds.Contains(type))
            throw reader.Error(typeNode, $"scheduler.type: unknown scheduler '{type}'" + ActorSweep.Tasks.Suggestions.DidYouMean(type, Kinds, otherwise: $"; use one of {string.Join(", ", Kinds)}"));
        reader.CheckKeys(map, type switch { "hyperband" => HyperbandKeys, "median" => MedianKeys, "pbt" => PbtKeys, _ => AshaKeys }, $"scheduler ({type})");
        var goal = Goal(map, "scheduler");
        if (type == "median") return Median(map, goal);
        if (type == "pbt") return Pbt(node, map, goal, runs, task, space, seed);

        long shortest = runs.Min(r => r.Definition.TotalSteps);
        var minNode = SweepFile.Reader.Value(map, "min_steps") ?? throw reader.Error(node, "scheduler.min_steps is required: the steps of the first rung");
        long minSteps = reader.Int(minNode, "scheduler.min_steps", 1, int.MaxValue);
        int eta = SweepFile.Reader.Value(map, "reduction_factor") is { } etaNode ? reader.Int(etaNode, "scheduler.reduction_factor", 2, 100) : 3;
        var maxNode = SweepFile.Reader.Value(map, "max_steps");
        long maxSteps = maxNode is not null ? reader.Int(maxNode, "scheduler.max_steps", 1, int.MaxValue) : shortest;
        if (maxSteps > shortest)
            throw reader.Error(maxNode!, $"scheduler.max_steps: {maxSteps} is more than the {shortest} steps of the shortest run; runs cannot train past their budget");
        if (minSteps >= maxSteps)
            throw reader.Error(minNode, $"scheduler.min_steps: {minSteps} must be below max_steps ({maxSteps}), or no run would ever pause");

        var asha = new AshaScheduler(goal, minSteps, eta, maxSteps);
        if (type == "hyperband")
        {
            int rungs = asha.Rungs.Count;
            int brackets = SweepFile.Reader.Value(map, "brackets") is { } b ? reader.Int(b, "scheduler.brackets", 1, rungs) : rungs;
            asha = asha with { Brackets = brackets };
        }
        // A rung's result must be fresh: every run evaluates at every rung.
        foreach (long rung in asha.Rungs)
            if (runs.FirstOrDefault(r => !r.Definition.EvaluatesAt(rung)) is { } run)
                throw reader.Error(minNode, $"scheduler: run '{run.RunId}' does not evaluate at step {rung} (a rung: min_steps × {eta}^k); " +
                                            "make min_steps a multiple of its eval_every");
        return asha;
    }

    PbtScheduler Pbt(YamlNode node, YamlMappingNode map, MetricGoal goal, ImmutableList<RunSpec> runs, ActorSweep.Tasks.ITaskSchema task,
                     ImmutableList<SearchDimension> space, long seed)
    {
        if (runs.Count < 2) throw reader.Error(node, $"scheduler (pbt): a population needs at least 2 runs; the sweep has {runs.Count}");
        var intervalNode = SweepFile.Reader.Value(map, "interval") ?? throw reader.Error(node, "scheduler.interval is required: the steps between exploit and explore decisions");
        long interval = reader.Int(intervalNode, "scheduler.interval", 1, int.MaxValue);
        long shortest = runs.Min(r => r.Definition.TotalSteps);
        if (interval >= shortest)
            throw reader.Error(intervalNode, $"scheduler.interval: {interval} is not below the {shortest} steps of the shortest run, so no run would ever be compared");
        for (long step = interval; step < shortest; step += interval)
            if (runs.FirstOrDefault(r => !r.Definition.EvaluatesAt(step)) is { } run)
                throw reader.Error(intervalNode, $"scheduler: run '{run.RunId}' does not evaluate at step {step} (a multiple of interval); make interval a multiple of its eval_every");
        double quantile = SweepFile.Reader.Value(map, "quantile") is { } q ? reader.Number(q, "scheduler.quantile") : PbtScheduler.DefaultQuantile;
        if (quantile is <= 0 or > 0.5) throw reader.Error(SweepFile.Reader.Value(map, "quantile")!, $"scheduler.quantile: {quantile} is not in (0, 0.5] (the share of runs at the bottom that exploit, and at the top that are copied)");
        double resample = SweepFile.Reader.Value(map, "resample_probability") is { } p ? reader.Number(p, "scheduler.resample_probability") : PbtScheduler.DefaultResampleProbability;
        if (resample is < 0 or > 1) throw reader.Error(SweepFile.Reader.Value(map, "resample_probability")!, $"scheduler.resample_probability: {resample} is not a probability");
        var perturbNode = SweepFile.Reader.Value(map, "perturb") ?? throw reader.Error(node, $"scheduler.perturb is required: the options to explore, of {string.Join(", ", task.MutableOptions)}");
        if (perturbNode is not YamlSequenceNode list || list.Children.Count == 0)
            throw reader.Error(perturbNode, $"scheduler.perturb: expected a list of options, of {string.Join(", ", task.MutableOptions)}");
        var perturb = new List<string>();
        foreach (var item in list)
        {
            string name = reader.Scalar(item, "scheduler.perturb");
            if (!task.OptionNames.Contains(name))
                throw reader.Error(item, $"scheduler.perturb: '{name}' is not an option of task '{task.Name}'" + ActorSweep.Tasks.Suggestions.DidYouMean(name, task.OptionNames));
            if (!task.MutableOptions.Contains(name))
                throw reader.Error(item, $"scheduler.perturb: '{name}' cannot change in the middle of a run (a model-shape or data option: the checkpoint holds it); " +
                                         $"PBT can perturb {string.Join(", ", task.MutableOptions)}");
            if (perturb.Contains(name)) throw reader.Error(item, $"scheduler.perturb: '{name}' is listed twice");
            perturb.Add(name);
        }
        return new PbtScheduler(goal, interval, quantile, [.. perturb], resample, [.. space.Where(d => perturb.Contains(d.Name))], seed);
    }

    MedianScheduler Median(YamlMappingNode map, MetricGoal goal)
    {
        long grace = SweepFile.Reader.Value(map, "grace_steps") is { } g ? reader.Int(g, "scheduler.grace_steps", 0, int.MaxValue) : 0;
        int minRuns = SweepFile.Reader.Value(map, "min_runs") is { } m ? reader.Int(m, "scheduler.min_runs", 1, SweepFile.MaxRuns) : 3;
        return new MedianScheduler(goal, grace, minRuns);
    }

    public StopSpec Stop(YamlNode node, SchedulerSpec? scheduler, int runs)
    {
        var map = reader.Mapping(node, "stop");
        reader.CheckKeys(map, [.. MetricGoal.Names, "mode", "runs_at_target", "total_steps"], "stop");
        MetricGoal? goal = null;
        double? target = null;
        var metrics = MetricGoal.Names.Where(m => SweepFile.Reader.Value(map, m) is not null).ToList();
        if (metrics.Count > 1) throw reader.Error(node, $"stop: give one target metric, not {string.Join(" and ", metrics)}");
        if (metrics.Count == 1)
        {
            string metric = metrics[0];
            target = reader.Number(SweepFile.Reader.Value(map, metric)!, $"stop.{metric}");
            if (metric == MetricGoal.ValidationExactMatch && target is < 0 or > 1)
                throw reader.Error(SweepFile.Reader.Value(map, metric)!, $"stop.{metric}: {target} is not a fraction in [0, 1] (exact match 99.9% is 0.999)");
            goal = new MetricGoal(metric, Maximize(map, "stop", metric, scheduler?.Goal is { } g && g.Metric == metric ? g.Maximize : MetricGoal.MaximizedByDefault(metric)));
        }
        else if (SweepFile.Reader.Value(map, "mode") is { } mode) throw reader.Error(mode, "stop.mode: set it next to a target metric");
        if (SweepFile.Reader.Value(map, "runs_at_target") is { } needsTarget && target is null)
            throw reader.Error(needsTarget, $"stop.runs_at_target needs a target: add e.g. {MetricGoal.ValidationExactMatch}: 0.99");
        int? runsAtTarget = SweepFile.Reader.Value(map, "runs_at_target") is { } k ? reader.Int(k, "stop.runs_at_target", 1, runs) : null;
        long? totalSteps = SweepFile.Reader.Value(map, "total_steps") is { } t ? reader.Int(t, "stop.total_steps", 1, int.MaxValue) : null;
        if (target is null && totalSteps is null)
            throw reader.Error(node, $"stop: set a target ({string.Join(" or ", MetricGoal.Names)}), runs_at_target or total_steps");
        return new StopSpec(goal, target, runsAtTarget, totalSteps);
    }

    static readonly string[] SearchKeys = ["type", "metric", "mode", "n_startup", "gamma", "candidates", "multivariate"];

    /// <summary>What <c>search:</c> needs from the rest of the file: a <c>random:</c> space to search, and nothing else to train.</summary>
    public void CheckSearchShape(YamlNode node, YamlMappingNode root, long[] seeds)
    {
        if (SweepFile.Reader.Value(root, "random") is null)
            throw reader.Error(node, "search: needs a random: section (its space is what TPE searches, its samples how many trials)");
        foreach (var other in new[] { "runs", "grid" })
            if (SweepFile.Reader.Value(root, other) is { } extra)
                throw reader.Error(extra, $"{other}: a search draws every trial from random.space; remove {other}: or the search: section");
        if (seeds.Length != 1)
            throw reader.Error(SweepFile.Reader.Value(root, "seeds")!, $"seeds: a search trains each trial once; list one seed, not {seeds.Length}");
    }

    public TpeSearch Search(YamlNode node, SchedulerSpec? scheduler, ImmutableList<SearchDimension> space, long seed, int trials)
    {
        var map = reader.Mapping(node, "search");
        reader.CheckKeys(map, SearchKeys, "search");
        var typeNode = SweepFile.Reader.Value(map, "type") ?? throw reader.Error(node, "search.type is required: tpe");
        string type = reader.Scalar(typeNode, "search.type");
        if (type != "tpe") throw reader.Error(typeNode, $"search.type: unknown search '{type}'; use tpe (random search: a random: section alone)");
        if (space.Count == 0) throw reader.Error(node, "search: random.space names no option to search");
        var goal = Goal(map, "search");
        if (SweepFile.Reader.Value(map, "metric") is null && scheduler is not null) goal = scheduler.Goal;
        else if (scheduler is not null && scheduler.Goal != goal)
            throw reader.Error(SweepFile.Reader.Value(map, "metric") ?? node, $"search: ranks trials by {goal.Describe} but the scheduler by {scheduler.Goal.Describe}; " +
                                                                            "TPE reads the results the scheduler keeps at its rungs, so give them the same metric and mode");
        int startup = SweepFile.Reader.Value(map, "n_startup") is { } s ? reader.Int(s, "search.n_startup", 1, SweepFile.MaxRuns) : TpeSearch.DefaultStartup;
        double gamma = SweepFile.Reader.Value(map, "gamma") is { } g ? reader.Number(g, "search.gamma") : TpeSearch.DefaultGamma;
        if (gamma is <= 0 or >= 1) throw reader.Error(SweepFile.Reader.Value(map, "gamma")!, $"search.gamma: {gamma} is not a fraction in (0, 1) (the share of results modelled as good)");
        int candidates = SweepFile.Reader.Value(map, "candidates") is { } c ? reader.Int(c, "search.candidates", 1, 10_000) : TpeSearch.DefaultCandidates;
        bool multivariate = SweepFile.Reader.Value(map, "multivariate") is { } m && reader.Scalar(m, "search.multivariate") switch
        {
            "true" => true,
            "false" => false,
            var other => throw reader.Error(m, $"search.multivariate: '{other}' is neither true nor false"),
        };
        return new TpeSearch(goal, space, seed, trials, startup, gamma, candidates, multivariate);
    }

    MetricGoal Goal(YamlMappingNode map, string where)
    {
        string metric = SweepFile.Reader.Value(map, "metric") is { } m ? reader.Scalar(m, $"{where}.metric") : MetricGoal.ValidationExactMatch;
        if (!MetricGoal.Names.Contains(metric))
            throw reader.Error(SweepFile.Reader.Value(map, "metric")!, $"{where}.metric: unknown metric '{metric}'" +
                ActorSweep.Tasks.Suggestions.DidYouMean(metric, MetricGoal.Names, otherwise: $"; runs report {string.Join(" and ", MetricGoal.Names)}"));
        return new MetricGoal(metric, Maximize(map, where, metric, MetricGoal.MaximizedByDefault(metric)));
    }

    bool Maximize(YamlMappingNode map, string where, string metric, bool byDefault)
    {
        if (SweepFile.Reader.Value(map, "mode") is not { } node) return byDefault;
        return reader.Scalar(node, $"{where}.mode") switch
        {
            "max" => true,
            "min" => false,
            var other => throw reader.Error(node, $"{where}.mode: '{other}' is neither max nor min (the better direction of {metric})"),
        };
    }
}
