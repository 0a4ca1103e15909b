using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using ActorSweep.GpuNode.Node;
using ActorSweep.GpuNode.Tasks;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Sweeps;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorSweep.Bench;

/// <summary>Benchmarks of the sweep runner on the embedded default (a temporary SQLite file).</summary>
public static class SweepBench
{
    /// <summary>
    /// No-op runs (one empty step each) through the persistent supervisor: every run is an
    /// assignment and a completion, both journalled in SQLite before they take effect.
    /// </summary>
    public static async Task<int> NoopCompletions(BenchOptions options)
    {
        int runs = options.Int("runs", 2000);
        int[] slotCounts = (options.String("slots") ?? "4,16").Split(',').Select(int.Parse).ToArray();
        Console.WriteLine($"{runs} no-op runs per measurement through the persistent supervisor on SQLite (WAL)");
        double last = 0;
        foreach (int slots in slotCounts)
        {
            string dir = Directory.CreateTempSubdirectory("actorsweep-bench-").FullName;
            try
            {
                var definition = SweepFile.Parse($"name: noop-bench\ntask: noop\nseeds: [{string.Join(", ", Enumerable.Range(1, runs))}]\ndefaults: {{ steps: 1 }}\n", "bench");
                using var host = await EmbeddedHost.StartAsync(new EmbeddedOptions(JournalDatabase.Sqlite(Path.Combine(dir, "bench.db")), slots)
                {
                    LogFile = Path.Combine(dir, "bench.log"),
                });
                var client = SweepClient.For(host);
                await client.SubmitAsync(new SweepDefinition("warmup", "noop", 0, [definition.Runs[0] with { RunId = "warmup" }], "bench", "warmup"));
                await WaitFinished(client, "warmup");

                var clock = Stopwatch.StartNew();
                await client.SubmitAsync(definition);
                var state = await WaitFinished(client, definition.SweepId);
                double seconds = clock.Elapsed.TotalSeconds;
                if (state.Summary().Completed != runs) throw new InvalidOperationException($"only {state.Summary().Completed} of {runs} runs completed");
                last = runs / seconds;
                Console.WriteLine($"slots {slots,3}: {runs} completions in {seconds:F2} s = {last:F0} completions/s ({state.EventCount} events, {state.EventCount / seconds:F0} events/s)");
                await host.StopAsync();
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(dir, recursive: true);
            }
        }
        Console.WriteLine("goal >= 500 completions/s; for scale, Ray Tune manages about 14/s and Optuna on MySQL about 8/s");
        Console.WriteLine($"completions_per_s={last.ToString("F0", CultureInfo.InvariantCulture)}");
        return 0;
    }

    /// <summary>
    /// The runner's overhead on sweeps/quickstart.yaml, two ways: (1) within the run, the share of
    /// slot time (a training actor's life) not spent in the task itself, which holds checkpoint
    /// writes, messaging and scheduling; (2) the sweep's wall time against the same runs trained in
    /// a plain loop on as many threads, with no actors, journal or checkpoints.
    /// </summary>
    public static async Task<int> QuickstartOverhead(BenchOptions options)
    {
        int slots = options.Int("slots", 2);
        string file = options.String("sweep") ?? Path.Combine(TrainStepsBench.RepositoryRoot(), "sweeps", "quickstart.yaml");
        var definition = SweepFile.Load(file);
        Console.WriteLine($"{definition.SweepId}: {definition.Runs.Count} runs on {slots} slots");

        string dir = Directory.CreateTempSubdirectory("actorsweep-bench-").FullName;
        double runnerWall, busy, compute;
        try
        {
            using var host = await EmbeddedHost.StartAsync(new EmbeddedOptions(JournalDatabase.Sqlite(Path.Combine(dir, "bench.db")), slots)
            {
                LogFile = Path.Combine(dir, "bench.log"),
            });
            var client = SweepClient.For(host);
            var clock = Stopwatch.StartNew();
            await client.SubmitAsync(definition);
            await WaitFinished(client, definition.SweepId);
            runnerWall = clock.Elapsed.TotalSeconds;
            var agent = host.Services.GetRequiredService<ActorRegistry>().Get<NodeAgent>();
            var stats = await agent.Ask<NodeAgent.NodeStats>(new NodeAgent.GetStats(), TimeSpan.FromSeconds(10));
            (busy, compute) = (stats.BusySeconds, stats.ComputeSeconds);
            await host.StopAsync();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }

        double directWall = PlainLoop(definition, slots);
        double inRun = 100 * (busy - compute) / busy;
        double wall = 100 * (runnerWall - directWall) / runnerWall;
        Console.WriteLine($"runner: {runnerWall:F1} s wall, {busy:F1} slot-seconds busy, {compute:F1} of them in the task");
        Console.WriteLine($"plain loop on {slots} threads (no actors, journal or checkpoints): {directWall:F1} s wall");
        Console.WriteLine($"overhead within runs (slot time outside the task): {inRun:F2}%");
        Console.WriteLine($"overhead of wall time against the plain loop: {wall:F2}% (one run each; machine noise is a few percent)");
        Console.WriteLine($"overhead_percent={inRun.ToString("F2", CultureInfo.InvariantCulture)}");
        return 0;
    }

    /// <summary>The same runs on <paramref name="threads"/> threads taking from one queue in order, straight through.</summary>
    static double PlainLoop(SweepDefinition definition, int threads)
    {
        var queue = new System.Collections.Concurrent.ConcurrentQueue<ActorSweep.Messages.Runs.RunSpec>(definition.Runs);
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            while (queue.TryDequeue(out var run))
            {
                using var session = RunTasks.Start(run, null);
                while (!session.Finished) session.TrainStep();
                session.Finish();
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        return clock.Elapsed.TotalSeconds;
    }

    static async Task<SweepState> WaitFinished(SweepClient client, string sweepId)
    {
        var notifications = client.Watch(sweepId);
        await foreach (var message in notifications.ReadAllAsync())
            if (message is SweepFinished) break;
        return (await client.StateAsync(sweepId))!;
    }
}
