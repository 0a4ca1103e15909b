using System.Diagnostics;
using System.Globalization;
using ActorSweep.Cli;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Sweeps;

namespace ActorSweep.Bench;

/// <summary>
/// The same search space of addition models at quickstart scale (24 configurations: width × FFN ×
/// learning rate, 1,500 steps each), trained once to full budget (grid) and once under ASHA
/// (rungs at 125, 375 and 1,125 steps, η = 3), on the embedded runner. Prints, for each, the
/// training steps spent, the wall time until its best model was found, and its best test exact
/// match. Goal: ASHA within 1 point of the grid's best on at most 1/3 of its training steps.
/// </summary>
public static class AshaVsGridBench
{
    const string Space = """
        task: addition
        seeds: [1]
        retries: 2
        budget: { steps: 1500, eval_every: 125, checkpoint_every: 125 }
        defaults:
          batch_size: 128
          curriculum: [[1, 3, 1500]]
          eval_digits: 3
          eval_size: 500
        grid:
          d_model: [4, 6, 8, 12]
          d_ff: [16, 48]
          lr: [0.003, 0.01, 0.03]
        """;

    const string Asha = "scheduler: { type: asha, metric: validation_exact_match, min_steps: 125, reduction_factor: 3 }\n";

    sealed record Outcome(string Name, long Steps, double WallSeconds, double SecondsToBest, double BestExactMatch, string BestRun);

    public static async Task<int> Run(BenchOptions options)
    {
        int slots = options.Int("slots", 2);
        Console.WriteLine($"24 addition configurations (d_model × d_ff × lr), 1,500 steps each, {slots} slots, embedded runner on SQLite");
        var grid = await Sweep("grid", SweepFile.Parse("name: space-grid\n" + Space, "asha-vs-grid"), slots);
        var asha = await Sweep("asha", SweepFile.Parse("name: space-asha\n" + Space + "\n" + Asha, "asha-vs-grid"), slots);
        Console.WriteLine($"{"",6} {"steps",8} {"wall s",8} {"to best s",10} {"best exact",11}  best run");
        foreach (var o in new[] { grid, asha })
            Console.WriteLine($"{o.Name,6} {o.Steps,8:N0} {o.WallSeconds,8:F0} {o.SecondsToBest,10:F0} {o.BestExactMatch,11:P2}  {o.BestRun}");
        double fraction = (double)asha.Steps / grid.Steps, gap = 100 * (grid.BestExactMatch - asha.BestExactMatch);
        Console.WriteLine($"goal: ASHA within 1 point of the grid's best on at most 1/3 of its training steps: {(fraction <= 1.0 / 3 && gap <= 1 ? "met" : "not met")}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"asha_steps_fraction={fraction:F3} best_gap_points={gap:F2}"));
        return 0;
    }

    static async Task<Outcome> Sweep(string name, SweepDefinition definition, int slots)
    {
        string dir = Directory.CreateTempSubdirectory("actorsweep-asha-").FullName;
        try
        {
            using var host = await EmbeddedHost.StartAsync(new EmbeddedOptions(JournalDatabase.Sqlite(Path.Combine(dir, "bench.db")), slots)
            {
                LogFile = Path.Combine(dir, "bench.log"),
            });
            var client = SweepClient.For(host);
            var started = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            await client.SubmitAsync(definition);
            var state = await SweepBench.WaitFinished(client, definition.SweepId);
            double wall = clock.Elapsed.TotalSeconds;
            await host.StopAsync();
            var best = state.Runs.Values.Where(r => r.Report is not null).MaxBy(r => r.Report!.ExactMatch)
                       ?? throw new InvalidOperationException($"{name}: no run completed");
            Console.WriteLine($"{name}: {state.Summary().Completed} completed, {state.Counts.Pruned} pruned, {state.StepsSpent:N0} steps in {wall:F0} s");
            return new Outcome(name, state.StepsSpent, wall, (best.FinishedAt!.Value - started).TotalSeconds, best.Report!.ExactMatch, best.Spec.RunId);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
