using System.Collections.Immutable;
using ActorSweep.Messages;
using ActorSweep.Messages.Results;
using ActorSweep.Messages.Sweeps;

namespace ActorSweep.Seed.Supervisor;

/// <summary>One rung of a scheduler's ladder as it stands: who reached it, who went on, and the cut-off.</summary>
/// <param name="Cutoff">The result a run needs at this rung to be promoted now (the worst of the top quota), when any run qualifies.</param>
public sealed record RungView(int Bracket, int Rung, long Step, int Reached, int Promoted, int Paused, int Pruned, int Quota, double? Cutoff);

/// <summary>
/// What a sweep's <c>scheduler:</c> and <c>stop:</c> sections decide, as pure functions of its
/// state, tested without actors like <see cref="SweepDecisions"/>. Every decision is an event
/// (paused, promoted, pruned, a completion at the target, a stop), so replaying the journal
/// replays the schedule, and a supervisor that fails over carries on the same one.
/// <para>
/// ASHA, promoting rather than stopping: a run pauses at each rung (min_steps·η^k). A paused run
/// is promoted once it ranks in the top ⌊n/η⌋ of the n results at its rung. While configurations
/// that never started remain, they take the free slots; once none remain the quota is ⌈n/η⌉
/// (at least one), so the best paused runs go on instead of slots idling, and at least one run
/// reaches max_steps. When nothing is queued or running and nothing qualifies, the paused runs
/// are pruned (their checkpoints stay: `actorsweep promote` resumes one). Hyperband runs several
/// such brackets, bracket b's runs first pausing at rung b; a run's bracket comes from its id.
/// </para>
/// <para>
/// The median rule prunes a running run at a checkpoint whose best result is worse than the
/// median of the others' at that step; its node is told to stop it.
/// </para>
/// </summary>
public static class SchedulerDecisions
{
    /// <summary>Where a run assigned now pauses and when it completes early; null when nothing limits it.</summary>
    public static RunLimits? Limits(SweepDefinition definition, RunState run)
    {
        long? pauseAt = null, finishAt = null;
        if (definition.Scheduler is AshaScheduler asha)
        {
            long at = run.Checkpoint?.Step ?? 0;
            var rungs = asha.Rungs;
            int first = Bracket(asha, run.Spec.RunId);
            // A run handed back exactly at a rung's step (before it paused there) pauses there at once on resume: no rung is skipped.
            for (int k = first; k < rungs.Count && pauseAt is null; k++)
                if (rungs[k] > at || (rungs[k] == at && !(run.Rungs?.Any(r => r.Rung == k) ?? false))) pauseAt = rungs[k];
            if (asha.MaxSteps < run.Spec.Definition.TotalSteps) finishAt = asha.MaxSteps;
        }
        else if (definition.Scheduler is PbtScheduler pbt)
            pauseAt = PbtDecisions.NextPause(pbt, run);
        var limits = new RunLimits(pauseAt, finishAt, definition.Stop?.Goal, definition.Stop?.Target);
        return limits.Any ? limits : null;
    }

    /// <summary>The rung a pause at <paramref name="step"/> stands for, or -1 when it is none of the scheduler's.</summary>
    public static int RungAt(SweepDefinition definition, long step) => definition.Scheduler switch
    {
        AshaScheduler asha => asha.Rungs.IndexOf(step),
        PbtScheduler pbt => PbtDecisions.IntervalAt(pbt, step),
        _ => -1,
    };

    /// <summary>Whether a completed run reached the sweep's target (read from its final checkpoint's metrics), early or on its last step.</summary>
    public static bool ReachedTarget(SweepDefinition definition, Messages.Runs.CheckpointInfo? final) =>
        definition.Stop is { Goal: { } goal, Target: { } target } && final is not null && goal.Reached(goal.Read(final.Summary), target);

    /// <summary>The bracket of a run under Hyperband (0 under plain ASHA): from a stable hash of its id, so it never changes.</summary>
    public static int Bracket(AshaScheduler asha, string runId)
    {
        if (asha.Brackets <= 1) return 0;
        uint hash = 2166136261;
        foreach (char c in runId) hash = (hash ^ c) * 16777619;
        return (int)(hash % (uint)asha.Brackets);
    }

    /// <summary>
    /// The events a sweep's state calls for now: a stop once its limits are met, promotions of
    /// paused runs that qualify, and, once nothing can run any more, the pruning of the rest.
    /// Empty when the sweep has no scheduler or stop rules.
    /// </summary>
    public static ImmutableList<ISweepEvent> After(SweepState state, DateTimeOffset now) => After(state, now, []);

    /// <param name="checkpointed">Runs whose new checkpoint the decision just wrote: the median rule judges only these, at that checkpoint.</param>
    public static ImmutableList<ISweepEvent> After(SweepState state, DateTimeOffset now, IReadOnlyCollection<string> checkpointed)
    {
        var definition = state.Definition;
        if (definition is null || state.Cancelled || state.Finished || (definition.Scheduler is null && definition.Stop is null)) return [];
        if (definition.Stop is { } stop)
        {
            if (stop.RunsAtTarget is { } k && state.ReachedTarget >= k)
                return [new SweepCancelled(state.SweepId, $"stopped: {state.ReachedTarget} run(s) reached {stop.Goal!.Metric} {stop.Target} (runs_at_target {k})", now)];
            if (stop.TotalSteps is { } budget && state.StepsSpent >= budget)
                return [new SweepCancelled(state.SweepId, $"stopped: {state.StepsSpent:N0} training steps spent (total_steps {budget:N0})", now)];
        }
        if (definition.Scheduler is MedianScheduler median) return Median(state, median, now, checkpointed);
        if (definition.Scheduler is PbtScheduler pbt) return PbtDecisions.After(state, pbt, now);
        if (definition.Scheduler is not AshaScheduler asha || state.Counts.Paused == 0) return [];

        bool freshLeft = FreshLeft(state);
        var events = ImmutableList.CreateBuilder<ISweepEvent>();
        var ladder = Rungs(state, asha, freshLeft);
        // Highest rung first and best first; each promotion goes to the queue's front, so they are written in reverse and the best of the highest rung trains first.
        foreach (var (rung, ranked) in ladder.Where(r => r.View.Paused > 0).OrderByDescending(r => r.View.Rung))
            foreach (var run in ranked.Take(rung.Quota).Where(r => r.Status == RunStatus.Paused && r.Rung == rung.Rung))
                events.Add(new RunPromoted(state.SweepId, run.Spec.RunId, rung.Rung,
                    $"in the top {rung.Quota} of {rung.Reached} at rung {rung.Rung} (step {rung.Step}) on {asha.Goal.Metric}"));
        events.Reverse();
        if (events.Count == 0 && state.Queue.Count == 0 && state.Counts.Running == 0)
            foreach (var run in state.OrderedRuns.Where(r => r.Status == RunStatus.Paused))
            {
                var view = ladder.First(v => v.View.Rung == run.Rung && v.View.Bracket == Bracket(asha, run.Spec.RunId)).View;
                events.Add(new RunPruned(state.SweepId, run.Spec.RunId,
                    $"not in the top {view.Quota} of {view.Reached} at rung {view.Rung} (step {view.Step}): {Format(run.Rungs![^1].Value)} vs cut-off {Format(view.Cutoff)}", now));
            }
        return events.ToImmutable();
    }

    /// <summary>
    /// The median stopping rule (as Optuna's MedianPruner): a running run whose latest checkpoint is
    /// past the grace steps is pruned when its best result so far is worse than the median of the
    /// other runs' results at that same step, once at least min_runs other runs have one there.
    /// </summary>
    static ImmutableList<ISweepEvent> Median(SweepState state, MedianScheduler median, DateTimeOffset now, IReadOnlyCollection<string> checkpointed)
    {
        if (state.Counts.Running == 0 || checkpointed.Count == 0) return [];
        var events = ImmutableList.CreateBuilder<ISweepEvent>();
        // Only a run that just wrote a checkpoint is judged, at that checkpoint: never one being assigned (or promoted by hand).
        foreach (var run in checkpointed.Distinct().Order(StringComparer.Ordinal).Select(id => state.Runs[id])
                     .Where(r => r.Status == RunStatus.Running && r.Rungs is { Count: > 0 }))
        {
            long step = run.Rungs![^1].Step;
            if (step < median.GraceSteps) continue;
            var others = state.Runs.Values
                .Where(o => o.Spec.RunId != run.Spec.RunId && o.Rungs is not null)
                .Select(o => o.Rungs!.LastOrDefault(x => x.Step == step)?.Value)
                .OfType<double>().ToList();
            if (others.Count < median.MinRuns) continue;
            double middle = Statistics.Median(others);
            double? best = run.Rungs.Select(x => x.Value).Aggregate((double?)null, (b, v) => median.Goal.Better(v, b) ? v : b);
            if (best is not null && median.Goal.Better(middle, best)) // a run with no result yet is not judged
                events.Add(new RunPruned(state.SweepId, run.Spec.RunId,
                    $"best {median.Goal.Metric} {Format(best)} by step {step} is worse than the median {Format(middle)} of {others.Count} other runs there", now, RunStatus.Running));
        }
        return events.ToImmutable();
    }

    /// <summary>
    /// Applies <paramref name="decision"/>'s events to <paramref name="state"/> and appends what the
    /// scheduler and stop rules then decide, until they decide nothing more.
    /// </summary>
    public static Decision WithSchedule(SweepState state, Decision decision, DateTimeOffset now)
    {
        if (decision.Events.Count == 0 || state.Definition is { Scheduler: null, Stop: null }) return decision;
        // A checkpoint changes nothing ASHA ranks on (rung results come with pauses): skip the ladder for it.
        if (state.Definition is { Scheduler: AshaScheduler, Stop.TotalSteps: null } or { Scheduler: AshaScheduler, Stop: null }
            && decision.Events.All(e => e is RunCheckpointed)) return decision;
        var after = decision.Events.Aggregate(state, (s, e) => s.Apply(e));
        var events = decision.Events.ToBuilder();
        var checkpointed = decision.Events.OfType<RunCheckpointed>().Select(c => c.RunId).ToList();
        for (var more = After(after, now, checkpointed); more.Count > 0; more = After(after, now, []))
        {
            events.AddRange(more);
            after = more.Aggregate(after, (s, e) => s.Apply(e));
        }
        return decision with { Events = events.ToImmutable() };
    }

    /// <summary>Every rung of the sweep's ladder, bracket by bracket, as it stands.</summary>
    public static IReadOnlyList<RungView> Ladder(SweepState state) =>
        state.Definition?.Scheduler is AshaScheduler asha ? Rungs(state, asha, FreshLeft(state)).Select(r => r.View).ToList() : [];

    /// <summary>Whether configurations wait that have no rung result yet (never started, or handed back before their first rung).</summary>
    static bool FreshLeft(SweepState state) => state.Queue.Any(id => state.Runs[id].Rungs is null or { Count: 0 });

    /// <summary>Each rung of each bracket: its view, and its runs ranked best first (what promotions take from).</summary>
    static List<(RungView View, List<RunState> Ranked)> Rungs(SweepState state, AshaScheduler asha, bool freshLeft)
    {
        var rungs = asha.Rungs;
        var views = new List<(RungView, List<RunState>)>();
        for (int bracket = 0; bracket < Math.Max(1, asha.Brackets); bracket++)
            for (int k = bracket; k < rungs.Count; k++)
            {
                var ranked = Ranked(state, asha, bracket, k);
                int n = ranked.Count;
                int quota = freshLeft ? n / asha.ReductionFactor : Math.Max(1, (n + asha.ReductionFactor - 1) / asha.ReductionFactor);
                quota = Math.Min(quota, n);
                views.Add((new RungView(bracket, k, rungs[k], n,
                    ranked.Count(r => r.Rung > k || (r.Rung == k && r.Status is RunStatus.Queued or RunStatus.Running or RunStatus.Completed)),
                    ranked.Count(r => r.Rung == k && r.Status == RunStatus.Paused),
                    ranked.Count(r => r.Rung == k && r.Status == RunStatus.Pruned),
                    quota, quota > 0 ? ValueAt(ranked[quota - 1], k) : null), ranked));
            }
        return views;
    }

    /// <summary>The runs of a bracket that reached rung k, best first (a missing result last; ties by id).</summary>
    static List<RunState> Ranked(SweepState state, AshaScheduler asha, int bracket, int k)
    {
        // A run that failed for good or was cancelled holds no place: the quota goes to runs that can still go on.
        var reached = state.Runs.Values.Where(r => r.Status is not (RunStatus.Failed or RunStatus.Cancelled)
                                                   && r.Rungs is { } rs && rs.Any(x => x.Rung == k) && Bracket(asha, r.Spec.RunId) == bracket).ToList();
        reached.Sort((a, b) =>
        {
            double? va = ValueAt(a, k), vb = ValueAt(b, k);
            if (asha.Goal.Better(va, vb)) return -1;
            if (asha.Goal.Better(vb, va)) return 1;
            return string.CompareOrdinal(a.Spec.RunId, b.Spec.RunId);
        });
        return reached;
    }

    static double? ValueAt(RunState run, int k) => run.Rungs!.Last(x => x.Rung == k).Value;

    static string Format(double? value) => value is { } v ? v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture) : "none";
}
