using System.Collections.Immutable;
using System.Globalization;
using ActorSweep.Messages;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Tasks;

namespace ActorSweep.Seed.Supervisor;

/// <summary>
/// Population-based training's decisions (<see cref="PbtScheduler"/>), pure functions of the sweep
/// state like the other schedulers'. A run pauses at every multiple of the interval; once paused it
/// is judged at once against the population's latest results (asynchronous: nobody waits), and
/// either exploits a top run (a <see cref="RunExploited"/>, then back to the queue) or goes on
/// (a <see cref="RunPromoted"/>). The exploit names the donor's checkpoint; the sweep actor copies it
/// under the run's name before persisting, and the run resumes from the copy.
/// </summary>
public static class PbtDecisions
{
    /// <summary>The generator of PBT's choices: apart from the random draws' and TPE's counters.</summary>
    const long GeneratorOffset = 2L << 40;

    /// <summary>Whether an assignment resumes from a checkpoint an exploit copied (the run has not written its own since).</summary>
    public static bool Adopted(SweepState state, RunAssigned assigned) =>
        assigned.ResumeFrom is { } from && state.Exploits.Count > 0 && state.Exploits.FindLast(x => x.RunId == assigned.RunId) is { } last && last.Checkpoint == from;

    /// <summary>The next multiple of the interval after the run's checkpoint, below its last step; null when none is left.</summary>
    public static long? NextPause(PbtScheduler pbt, RunState run)
    {
        long at = run.Checkpoint?.Step ?? 0;
        long next = (at / pbt.Interval + 1) * pbt.Interval;
        return next < run.Spec.Definition.TotalSteps ? next : null;
    }

    /// <summary>The interval index a pause at <paramref name="step"/> stands for (0 for the first), or -1.</summary>
    public static int IntervalAt(PbtScheduler pbt, long step) => step > 0 && step % pbt.Interval == 0 ? (int)(step / pbt.Interval - 1) : -1;

    /// <summary>Judges every paused run, in the definition's order: an exploit and a promotion, or a promotion.</summary>
    public static ImmutableList<ISweepEvent> After(SweepState state, PbtScheduler pbt, DateTimeOffset now)
    {
        if (state.Counts.Paused == 0) return [];
        var events = ImmutableList.CreateBuilder<ISweepEvent>();
        var ranked = Ranked(state, pbt);
        foreach (var spec in state.Definition!.Runs)
        {
            var run = state.Runs[spec.RunId];
            if (run.Status != RunStatus.Paused) continue;
            int cut = Math.Max(1, (int)Math.Floor(ranked.Count * pbt.Quantile));
            int place = ranked.FindIndex(r => r.Spec.RunId == run.Spec.RunId);
            // A donor with training left (a completed run's final checkpoint would end the exploiter at once, its new options
            // untried) and strictly better: a tie (early results are often all 0) is no reason to throw a run's training away.
            var donors = ranked.Take(cut).Where(d => d.Spec.RunId != run.Spec.RunId && d.Status != RunStatus.Completed
                                                     && d.Checkpoint is { } c && c.Step < run.Spec.Definition.TotalSteps
                                                     && pbt.Goal.Better(Latest(pbt, d), Latest(pbt, run))).ToList();
            if (ranked.Count >= 2 && place >= ranked.Count - cut && donors.Count > 0)
            {
                var random = new RunRandom(pbt.Seed, RandomStream.Search, GeneratorOffset + Index(state, run) * 1_000_000L + (run.Rungs?.Count ?? 0));
                var donor = donors[(int)random.NextInt64(donors.Count)];
                events.Add(Exploit(state, pbt, run, donor, ref random, now));
                events.Add(new RunPromoted(state.SweepId, run.Spec.RunId, run.Rung,
                    $"exploited {donor.Spec.RunId} (top {cut} of {ranked.Count} on {pbt.Goal.Metric}) at step {donor.Checkpoint!.Step}", Back: true));
            }
            else
                events.Add(new RunPromoted(state.SweepId, run.Spec.RunId, run.Rung,
                    place < 0 ? "no result yet: goes on" : $"ranks {place + 1} of {ranked.Count} on {pbt.Goal.Metric}: goes on", Back: true));
        }
        return events.ToImmutable();
    }

    /// <summary>The population by its latest results, best first (ties by id); runs without a result, failed or cancelled ones hold no place.</summary>
    public static List<RunState> Ranked(SweepState state, PbtScheduler pbt)
    {
        var ranked = state.Definition!.Runs.Select(s => state.Runs[s.RunId])
            .Where(r => r.Status is not (RunStatus.Failed or RunStatus.Cancelled) && Latest(pbt, r) is not null).ToList();
        ranked.Sort((a, b) =>
        {
            double? va = Latest(pbt, a), vb = Latest(pbt, b);
            if (pbt.Goal.Better(va, vb)) return -1;
            if (pbt.Goal.Better(vb, va)) return 1;
            return string.CompareOrdinal(a.Spec.RunId, b.Spec.RunId);
        });
        return ranked;
    }

    /// <summary>A run's latest result: its final one once completed, else at its last pause.</summary>
    static double? Latest(PbtScheduler pbt, RunState run) =>
        run.Status == RunStatus.Completed && run.Checkpoint is { } final ? pbt.Goal.Read(final.Summary)
        : run.Rungs is { Count: > 0 } rungs ? rungs[^1].Value : null;

    static long Index(SweepState state, RunState run) => state.Definition!.Runs.FindIndex(s => s.RunId == run.Spec.RunId);

    /// <summary>The donor's options, each perturbed one explored: ×0.8 or ×1.2, or drawn afresh from its dimension.</summary>
    static RunExploited Exploit(SweepState state, PbtScheduler pbt, RunState run, RunState donor, ref RunRandom random, DateTimeOffset now)
    {
        var options = new SortedDictionary<string, string>(donor.Spec.Options, StringComparer.Ordinal);
        var before = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var after = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var schema = TaskSchemas.Get(run.Spec.Task);
        foreach (string name in pbt.Perturb)
        {
            before[name] = run.Spec.Options.GetValueOrDefault(name) ?? "default";
            var dimension = pbt.Resample.FirstOrDefault(d => d.Name == name);
            string? json = options.GetValueOrDefault(name);
            string next;
            if (dimension is not null && random.NextDouble() < pbt.ResampleProbability) next = dimension.Draw(ref random);
            else if (json is not null && double.TryParse(json, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            {
                double factor = PbtScheduler.Factors[(int)random.NextInt64(PbtScheduler.Factors.Length)];
                double x = v * factor;
                if (dimension is not null) x = Math.Clamp(x, dimension.Low, dimension.High);
                next = x.ToString("R", CultureInfo.InvariantCulture);
            }
            else continue; // an option the donor leaves at its default, with no dimension to draw from: kept
            try
            {
                schema.Read(name, next); // out of the option's own range (beta1 past 1): the donor's value stays
                options[name] = next;
            }
            catch (ArgumentException) { }
            after[name] = options.GetValueOrDefault(name) ?? "default";
        }
        var definition = TaskSchemas.Define(run.Spec.Task, run.Spec.Name, run.Spec.Seed, options);
        var spec = new Messages.Runs.RunSpec(run.Spec.RunId, definition, options.ToImmutableSortedDictionary(StringComparer.Ordinal));
        // The copy's reference is the sweep actor's to fill in once it has copied the bytes.
        return new RunExploited(state.SweepId, run.Spec.RunId, donor.Spec.RunId, donor.Checkpoint!, donor.Checkpoint!, spec, before.ToImmutable(), after.ToImmutable(), now);
    }
}
