using System.Diagnostics;
using System.Globalization;
using ActorSweep.Cli;
using ActorSweep.Messages.Runs;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Search;
using ActorSweep.Seed.Sweeps;
using ActorSweep.Tasks;
using System.Collections.Immutable;

namespace ActorSweep.Bench;

/// <summary>
/// TPE against random search at equal trials, as real sweeps on the embedded runner (SQLite): the
/// same <c>random:</c> space, once with <c>search: tpe</c> and once without, for several sweep
/// seeds. Objectives: the noop task's Branin score (the search alone: each trial is one step; best
/// 1.0) and the addition task at quickstart scale. Also the searcher's own cost: the time of one
/// TPE decision with 10,000 finished trials.
/// </summary>
public static class TpeBench
{
    const string Branin = """
        task: noop
        seeds: [1]
        defaults: { steps: 1, objective: branin }
        random:
          samples: TRIALS
          seed: SEED
          space:
            x1: { uniform: [-5, 10] }
            x2: { uniform: [0, 15] }

        """;

    const string Addition = """
        task: addition
        seeds: [1]
        retries: 2
        budget: { steps: 1500, eval_every: 500, checkpoint_every: 500 }
        defaults:
          batch_size: 128
          curriculum: [[1, 3, 1500]]
          eval_digits: 3
          eval_size: 500
        random:
          samples: TRIALS
          seed: SEED
          space:
            d_model: { int_uniform: [3, 12] }
            d_ff: { int_uniform: [8, 48] }
            lr: { log_uniform: [0.001, 0.1] }

        """;

    public static async Task<int> Run(BenchOptions options)
    {
        string objective = options.String("objective") ?? "branin";
        int trials = options.Int("trials", objective == "branin" ? 40 : 16);
        int seeds = options.Int("seeds", 5), slots = options.Int("slots", 2);
        string space = objective switch
        {
            "branin" => Branin,
            "addition" => Addition,
            _ => throw new ArgumentException($"unknown objective '{objective}'; use branin or addition"),
        };
        Console.WriteLine($"{objective}: {trials} trials per sweep, {seeds} sweep seeds, {slots} slots, embedded runner on SQLite; best validation exact match (max)");
        double tpeSum = 0, randomSum = 0;
        for (int seed = 1; seed <= seeds; seed++)
        {
            string yaml = space.Replace("TRIALS", trials.ToString(CultureInfo.InvariantCulture)).Replace("SEED", seed.ToString(CultureInfo.InvariantCulture));
            double random = await Best(SweepFile.Parse($"name: random-{seed}\n{yaml}", "tpe-vs-random"), slots);
            double tpe = await Best(SweepFile.Parse($"name: tpe-{seed}\n{yaml}search: {{ type: tpe }}\n", "tpe-vs-random"), slots);
            Console.WriteLine($"seed {seed}: tpe {tpe:F4}  random {random:F4}");
            tpeSum += tpe;
            randomSum += random;
        }
        double tpeMean = tpeSum / seeds, randomMean = randomSum / seeds;
        Console.WriteLine($"mean best over {seeds} seeds: tpe {tpeMean:F4}, random {randomMean:F4} (goal: TPE above random at equal trials: {(tpeMean > randomMean ? "met" : "not met")})");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tpe_mean_best={tpeMean:F4} random_mean_best={randomMean:F4} mode=max"));
        return 0;
    }

    /// <summary>The best validation exact match of a sweep, run to its end.</summary>
    static async Task<double> Best(SweepDefinition definition, int slots) => (await BestAndSteps(definition, slots)).Best;

    /// <summary>The best validation exact match of a sweep run to its end, and the training steps it spent.</summary>
    public static async Task<(double Best, long Steps)> BestAndSteps(SweepDefinition definition, int slots)
    {
        string dir = Directory.CreateTempSubdirectory("actorsweep-tpe-").FullName;
        try
        {
            using var host = await EmbeddedHost.StartAsync(new EmbeddedOptions(JournalDatabase.Sqlite(Path.Combine(dir, "bench.db")), slots)
            {
                LogFile = Path.Combine(dir, "bench.log"),
            });
            var client = SweepClient.For(host);
            await client.SubmitAsync(definition);
            var state = await SweepBench.WaitFinished(client, definition.SweepId);
            await host.StopAsync();
            var goal = new MetricGoal(MetricGoal.ValidationExactMatch, true);
            return (state.Runs.Values.Select(r => r.Checkpoint is { } c ? goal.Read(c.Summary) : null).Max() ?? 0, state.StepsSpent);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// The time of one decision of the supervisor's searcher (<see cref="SearchDecisions.Suggest"/>:
    /// gathering the evidence from the sweep state, then TPE) in a 10,000-trial noop sweep over 4
    /// options with all but 8 trials finished and 7 in flight, independent and multivariate.
    /// </summary>
    public static Task<int> Overhead(BenchOptions options)
    {
        int trials = options.Int("trials", 10_000), rounds = options.Int("rounds", 20);
        Console.WriteLine($"one searcher decision in a {trials:N0}-trial sweep over 4 options, {trials - 8:N0} finished and 7 in flight, median of {rounds}");
        foreach (bool multivariate in new[] { false, true })
        {
            var definition = SweepFile.Parse($$"""
                name: overhead
                task: noop
                seeds: [1]
                defaults: { steps: 3, objective: branin }
                random:
                  samples: {{trials}}
                  seed: 1
                  space:
                    x1: { uniform: [-5, 10] }
                    x2: { uniform: [0, 15] }
                    rate: { log_uniform: [0.001, 1] }
                    checkpoint_every: { choice: [1, 2, 3] }
                search: { type: tpe, multivariate: {{multivariate.ToString().ToLowerInvariant()}} }

                """, "tpe-overhead");
            var state = SweepState.Empty(definition.SweepId);
            var at = DateTimeOffset.UtcNow;
            state = state.Apply(new SweepSubmitted(definition.SweepId, definition, at))
                         .Apply(new RunsQueued(definition.SweepId, definition.Runs.Select(r => r.RunId).ToImmutableList()));
            for (int i = 0; i < trials - 1; i++)
            {
                var spec = definition.Runs[i];
                state = state.Apply(new RunAssigned(definition.SweepId, spec.RunId, 1, "n1", null, at));
                if (i >= trials - 8) continue; // in flight
                var value = ((ActorSweep.Tasks.Noop.NoopDefinition)spec.Definition).ValidationAt(3);
                var checkpoint = new CheckpointInfo(3, "ref", new RunSummary(0, value));
                var report = new ActorSweep.Messages.Results.RunReport(spec.Name, 0, 3, 1, 0, value, [], [], 0, value, null, null, 0, [], []);
                state = state.Apply(new RunCompleted(definition.SweepId, spec.RunId, 1, report, at, checkpoint));
            }
            string next = definition.Runs[^1].RunId;
            var times = new List<double>();
            RunSuggested? suggested = null;
            // Warm: the JIT's tiered compilation optimises a method after some 30 calls; a supervisor decides thousands of times.
            for (int round = 0; round < 50; round++) SearchDecisions.Suggest(state, next);
            for (int round = 0; round < rounds; round++)
            {
                var clock = Stopwatch.StartNew();
                suggested = SearchDecisions.Suggest(state, next);
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            double median = times.Order().ElementAt(times.Count / 2);
            var evidenceTimes = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                var clock = Stopwatch.StartNew();
                SearchDecisions.Evidence(state, definition.Search);
                evidenceTimes.Add(clock.Elapsed.TotalMilliseconds);
            }
            double evidence = evidenceTimes.Order().ElementAt(rounds / 2);
            Console.WriteLine($"{(multivariate ? "multivariate" : "independent")}: median {median:F2} ms (goal < 10 ms), of which {evidence:F2} ms gathering the results from the state; chose {string.Join(", ", suggested!.Why.Drawn.Keys.Select(k => $"{k}={suggested.Spec.Options[k]}"))} from {suggested.Why.Observed:N0} results");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tpe_decision_ms={median:F2} finished={suggested.Why.Observed} multivariate={multivariate.ToString().ToLowerInvariant()}"));
        }
        return Task.FromResult(0);
    }
}
