using System.Collections.Immutable;
using ActorSweep.Messages;
using ActorSweep.Messages.Runs;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Tasks;

namespace ActorSweep.Seed.Search;

/// <summary>
/// What a sweep's <c>search:</c> decides, as pure functions of its state: when a trial past the
/// random start is first assigned, TPE chooses its options from the results so far, and the choice
/// is an event (<see cref="RunSuggested"/>) persisted before the assignment. Replaying the journal
/// replays the choices, and a supervisor that fails over continues the same search: a suggestion
/// depends only on the state it is made in and the trial's own generator.
/// </summary>
public static class SearchDecisions
{
    /// <summary>Trial k's generator: the search seed's, on a counter apart from the random draws' (sample·1000 + dimension).</summary>
    const long GeneratorOffset = 1L << 40;

    /// <summary>
    /// The events of an assignment batch: each trial that TPE chooses gets its <see cref="RunSuggested"/>
    /// before its <see cref="RunAssigned"/>, and each choice sees the trials assigned before it in the
    /// batch as in flight (so two slots filled at once do not get the same point).
    /// </summary>
    public static ImmutableList<ISweepEvent> WithSuggestions(SweepState state, IReadOnlyList<RunAssigned> assigned)
    {
        var events = ImmutableList.CreateBuilder<ISweepEvent>();
        foreach (var a in assigned)
        {
            if (Suggest(state, a.RunId) is { } suggested)
            {
                events.Add(suggested);
                state = state.Apply(suggested);
            }
            events.Add(a);
            state = state.Apply(a);
        }
        return events.ToImmutable();
    }

    /// <summary>TPE's choice for a trial about to start for the first time; null when the trial keeps its random draw.</summary>
    public static RunSuggested? Suggest(SweepState state, string runId)
    {
        if (state.Definition?.Search is not { } search || !state.Runs.TryGetValue(runId, out var run)) return null;
        int trial = TpeSearch.TrialIndex(run.Spec);
        if (trial < search.Startup || run.Attempt > 0 || state.Suggestions.ContainsKey(runId)) return null;

        var (observed, inFlight) = Evidence(state, search);
        var random = new RunRandom(search.Seed, RandomStream.Search, GeneratorOffset + trial);
        var choice = TpeSampler.Suggest(search, observed, inFlight, ref random);

        var options = new SortedDictionary<string, string>(run.Spec.Options, StringComparer.Ordinal);
        var drawn = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        for (int d = 0; d < search.Space.Count; d++)
        {
            var dimension = search.Space[d];
            if (options.TryGetValue(dimension.Name, out var was)) drawn[dimension.Name] = was;
            options[dimension.Name] = dimension.FromInternal(choice.Point[d]);
        }
        // The same reading of options the sweep file had: the task's own.
        var definition = TaskSchemas.Define(run.Spec.Task, run.Spec.Name, run.Spec.Seed, options);
        var spec = new RunSpec(runId, definition, options.ToImmutableSortedDictionary(StringComparer.Ordinal));
        var why = new Suggestion(trial + 1, observed.Count, choice.Good, choice.InFlight, Math.Round(choice.LogRatio, 6), [.. choice.Best], drawn.ToImmutable());
        return new RunSuggested(state.SweepId, runId, spec, why);
    }

    /// <summary>
    /// The results TPE learns from: a completed trial's final metric (ranked above everything), a
    /// paused or pruned one's at its highest rung; and the trials started without a result yet
    /// (the liars). Failed and cancelled trials teach nothing.
    /// </summary>
    public static (List<TpeSampler.Observation> Observed, List<double[]> InFlight) Evidence(SweepState state, TpeSearch search)
    {
        var observed = new List<TpeSampler.Observation>();
        var inFlight = new List<double[]>();
        // In the definition's order: a dictionary's order differs between processes, and sums over kernels must not.
        // (Looked up run by run: enumerating an immutable dictionary of 10,000 runs costs more than the lookups.)
        foreach (var spec in state.Definition!.Runs)
        {
            if (!state.Runs.TryGetValue(spec.RunId, out var run)) continue;
            var rung = run.Rungs is { Count: > 0 } rungs && rungs[^1] is { Rung: >= 0 } last ? last : null;
            if (run.Status == RunStatus.Completed)
                observed.Add(new(run.Spec.RunId, Point(search, run.Spec), long.MaxValue, run.Checkpoint is { } c ? search.Goal.Read(c.Summary) : null));
            else if (rung is not null)
                observed.Add(new(run.Spec.RunId, Point(search, run.Spec), rung.Step, rung.Value));
            else if (run.Attempt > 0 && run.Status is RunStatus.Running or RunStatus.Queued)
                inFlight.Add(Point(search, run.Spec));
        }
        return (observed, inFlight);
    }

    /// <summary>Points of specs already read: a spec is immutable and lives in the state from decision to decision.</summary>
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<RunSpec, double[]> Points = new();

    /// <summary>A trial's options on the modelling scale.</summary>
    static double[] Point(TpeSearch search, RunSpec spec) => Points.GetValue(spec, s => ReadPoint(search, s));

    static double[] ReadPoint(TpeSearch search, RunSpec spec)
    {
        var point = new double[search.Space.Count];
        for (int d = 0; d < point.Length; d++)
        {
            var dimension = search.Space[d];
            point[d] = spec.Options.TryGetValue(dimension.Name, out var json) && dimension.Internal(json) is { } x
                ? x
                : (dimension.InternalBounds.Low + dimension.InternalBounds.High) / 2;
        }
        return point;
    }
}
