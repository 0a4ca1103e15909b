using System.Globalization;
using ActorSweep.Seed.Sweeps;

namespace ActorSweep.Bench;

/// <summary>
/// PBT against random search on the addition task at quickstart scale, at equal training steps:
/// the same population of random draws (learning rate, weight decay; one model), trained once as
/// they are and once under <c>scheduler: pbt</c> (every 250 steps the bottom quarter copies the top
/// quarter and explores). Both train every run its 1,500 steps, so the steps are equal; the
/// figure is each one's best validation exact match, per sweep seed and on average.
/// </summary>
public static class PbtBench
{
    const string Population = """
        task: addition
        seeds: [1]
        retries: 2
        budget: { steps: 1500, eval_every: 250, checkpoint_every: 250 }
        defaults:
          d_model: 6
          d_ff: 16
          batch_size: 128
          curriculum: [[1, 3, 1500]]
          eval_digits: 3
          eval_size: 500
        random:
          samples: RUNS
          seed: SEED
          space:
            lr: { log_uniform: [0.001, 0.1] }
            weight_decay: { uniform: [0, 0.1] }

        """;

    /// <summary>Judged on validation loss: exact match is 0 for most runs at the first intervals, and exploits on it copy noise.</summary>
    const string Pbt = "scheduler: { type: pbt, interval: 250, quantile: 0.25, perturb: [lr, weight_decay], metric: validation_loss }\n";

    public static async Task<int> Run(BenchOptions options)
    {
        int runs = options.Int("runs", 8), seeds = options.Int("seeds", 3), slots = options.Int("slots", 2);
        Console.WriteLine($"addition: {runs} runs of 1,500 steps (d_model 6, d_ff 16; lr and weight decay drawn), {seeds} sweep seeds, {slots} slots; best validation exact match");
        double pbtSum = 0, randomSum = 0;
        for (int seed = 1; seed <= seeds; seed++)
        {
            string yaml = Population.Replace("RUNS", runs.ToString(CultureInfo.InvariantCulture)).Replace("SEED", seed.ToString(CultureInfo.InvariantCulture));
            var (random, randomSteps) = await TpeBench.BestAndSteps(SweepFile.Parse($"name: random-{seed}\n{yaml}", "pbt-vs-random"), slots);
            var (pbt, pbtSteps) = await TpeBench.BestAndSteps(SweepFile.Parse($"name: pbt-{seed}\n{yaml}{Pbt}", "pbt-vs-random"), slots);
            Console.WriteLine($"seed {seed}: pbt {pbt:F4} ({pbtSteps:N0} steps)  random {random:F4} ({randomSteps:N0} steps)");
            pbtSum += pbt;
            randomSum += random;
        }
        Console.WriteLine($"mean best over {seeds} seeds: pbt {pbtSum / seeds:F4}, random {randomSum / seeds:F4}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pbt_mean_best={pbtSum / seeds:F4} random_mean_best={randomSum / seeds:F4} mode=max"));
        return 0;
    }
}
