using System.Diagnostics;
using System.Globalization;
using ActorSweep.Cli;
using ActorSweep.Messages.Runs;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Search;
using ActorSweep.Seed.Sweeps;
using ActorSweep.Tasks;

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
    static async Task<double> Best(SweepDefinition definition, int slots)
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
            return state.Runs.Values.Select(r => r.Checkpoint is { } c ? goal.Read(c.Summary) : null).Max() ?? 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The time of one TPE decision with N finished trials (and 8 in flight), independent and multivariate.</summary>
    public static Task<int> Overhead(BenchOptions options)
    {
        int finished = options.Int("trials", 10_000), rounds = options.Int("rounds", 20);
        var space = System.Collections.Immutable.ImmutableList.Create(
            new SearchDimension("lr", DimensionKind.LogUniform, 1e-4, 1e-1),
            new SearchDimension("d_model", DimensionKind.IntUniform, 4, 64),
            new SearchDimension("dropout", DimensionKind.Uniform, 0, 0.5),
            new SearchDimension("optimizer", DimensionKind.Choice, Choices: ["\"adamw\"", "\"sgd\"", "\"lion\""]));
        Console.WriteLine($"one TPE decision over {space.Count} dimensions with {finished:N0} finished trials and 8 in flight, median of {rounds}");
        foreach (bool multivariate in new[] { false, true })
        {
            var search = new TpeSearch(new MetricGoal(MetricGoal.ValidationExactMatch, true), space, 1, finished + 10, Multivariate: multivariate);
            var observed = new List<TpeSampler.Observation>();
            for (int i = 0; i < finished; i++)
            {
                var point = space.Select((d, k) => { var r = new RunRandom(1, RandomStream.Search, i * 1000L + k); return d.Internal(d.Draw(ref r))!.Value; }).ToArray();
                var value = new RunRandom(2, RandomStream.Search, i).NextDouble();
                observed.Add(new($"trial-{i:D5}@s1", point, long.MaxValue, value));
            }
            var inFlight = observed.Take(8).Select(o => o.Point).ToList();
            var times = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                var random = new RunRandom(3, RandomStream.Search, round);
                var clock = Stopwatch.StartNew();
                TpeSampler.Suggest(search, observed, inFlight, ref random);
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            double median = times.Order().ElementAt(times.Count / 2);
            Console.WriteLine($"{(multivariate ? "multivariate" : "independent")}: median {median:F2} ms (goal < 10 ms)");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tpe_decision_ms={median:F2} trials={finished} multivariate={multivariate.ToString().ToLowerInvariant()}"));
        }
        return Task.FromResult(0);
    }
}
