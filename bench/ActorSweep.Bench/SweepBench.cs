using ActorSweep.Seed.Api;
using System.Diagnostics;
using System.Collections.Immutable;
using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using ActorSweep.GpuNode.Node;
using ActorSweep.Hosting.Clustering;
using ActorSweep.GpuNode.Runs;
using ActorSweep.Tasks;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Hosting;
using ActorSweep.Cli;
using ActorSweep.Seed.Sweeps;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorSweep.Bench;

/// <summary>Benchmarks of the sweep runner on the embedded default (a temporary SQLite file).</summary>
public static class SweepBench
{
    /// <summary>
    /// No-op completions across processes: a seed and a worker (its slots pulling runs over
    /// remoting), once over plain TCP and once with mutual TLS, on the same SQLite journal; what
    /// TLS costs the supervisor's throughput, as the ratio of the two rates.
    /// </summary>
    static async Task<int> ClusterNoopCompletions(BenchOptions options)
    {
        int runs = options.Int("runs", 2000), slots = options.Int("slots", 16);
        Console.WriteLine($"{runs} no-op runs through a seed and a worker process ({slots} slots) on loopback, SQLite journal: plain TCP, then mutual TLS");
        var rates = new Dictionary<bool, double>();
        foreach (bool tls in new[] { false, true })
        {
            using var cluster = new BenchCluster(tls);
            int seedPort = BenchCluster.FreePort(), apiPort = BenchCluster.FreePort();
            cluster.StartSeed(seedPort, apiPort);
            using var api = ApiClient.Create($"http://127.0.0.1:{apiPort}", null);
            await BenchCluster.Until(async () => { try { await api.ListAsync(); return true; } catch (ApiException) { return false; } }, "the seed's API");
            cluster.StartWorker(BenchCluster.FreePort(), seedPort, slots);
            await api.SubmitAsync("name: warmup\ntask: noop\nseeds: [1, 2, 3, 4]\ndefaults: { steps: 1 }\n", "bench");
            await BenchCluster.Until(async () => (await api.StateAsync("warmup")).State!.Finished, "the warm-up sweep");

            var clock = Stopwatch.StartNew();
            await api.SubmitAsync($"name: noop-bench\ntask: noop\nseeds: [{string.Join(", ", Enumerable.Range(1, runs))}]\ndefaults: {{ steps: 1 }}\n", "bench");
            SweepSummary summary = null!;
            await BenchCluster.Until(async () => (summary = (await api.ListAsync()).Sweeps.Single(s => s.SweepId == "noop-bench")).Finished, "the sweep", pollMs: 50);
            double seconds = clock.Elapsed.TotalSeconds;
            if (summary.Completed != runs) throw new InvalidOperationException($"only {summary.Completed} of {runs} runs completed");
            rates[tls] = runs / seconds;
            Console.WriteLine($"{(tls ? "mutual TLS" : "plain TCP"),-10}: {runs} completions in {seconds:F2} s = {rates[tls]:F0} completions/s");
        }
        double ratio = rates[true] / rates[false];
        Console.WriteLine($"TLS keeps {ratio:P0} of the plain rate (goal: loses no more than 20%)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cluster_completions_per_s={rates[false]:F0} tls_completions_per_s={rates[true]:F0} tls_ratio={ratio:F2}"));
        return 0;
    }

    /// <summary>
    /// No-op runs (one empty step each) through the persistent supervisor: every run is an
    /// assignment and a completion, both journalled in SQLite before they take effect.
    /// </summary>
    public static async Task<int> NoopCompletions(BenchOptions options)
    {
        if (options.String("cluster") is "on" or "true") return await ClusterNoopCompletions(options);
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
    /// The runner's overhead on sweeps/quickstart.yaml, two ways: (1) within the runs, the share of
    /// slot time (a training actor's life) not spent in the task itself, which holds checkpoint
    /// writes, messaging and reporting; (2) the sweep's wall time against the same runs trained in a
    /// plain loop on as many threads with no actors, journal or checkpoints, measured in ABBA order
    /// (runner, loop, loop, runner) after a warm-up, because the first long computation in a process
    /// runs several percent slower than later ones.
    /// </summary>
    public static async Task<int> QuickstartOverhead(BenchOptions options)
    {
        int slots = options.Int("slots", 2);
        string file = options.String("sweep") ?? Path.Combine(TrainStepsBench.RepositoryRoot(), "sweeps", "quickstart.yaml");
        var definition = SweepFile.Load(file);
        Console.WriteLine($"{definition.SweepId}: {definition.Runs.Count} runs on {slots} slots, ABBA order after a warm-up");
        PlainLoop(definition with { Runs = definition.Runs.Take(slots).ToImmutableList() }, slots); // warm-up, untimed

        var runner = new List<(double Wall, double Busy, double Compute)>();
        var plain = new List<(double Wall, double Compute)>();
        runner.Add(await Runner(definition, slots));
        plain.Add(PlainLoop(definition, slots));
        plain.Add(PlainLoop(definition, slots));
        runner.Add(await Runner(definition, slots));
        foreach (var (wall, busy, compute) in runner)
            Console.WriteLine($"runner: {wall:F1} s wall, {busy:F1} slot-seconds busy, {compute:F1} of them in the task ({100 * (busy - compute) / busy:F2}% outside)");
        foreach (var (wall, compute) in plain)
            Console.WriteLine($"plain loop on {slots} threads (no actors, journal or checkpoints): {wall:F1} s wall, {compute:F1} thread-seconds in the task");

        double inRun = 100 * (runner.Sum(r => r.Busy) - runner.Sum(r => r.Compute)) / runner.Sum(r => r.Busy);
        double runnerWall = runner.Average(r => r.Wall), plainWall = plain.Average(p => p.Wall);
        Console.WriteLine($"overhead within runs (slot time outside the task): {inRun:F2}%");
        Console.WriteLine($"wall time: runner {runnerWall:F1} s vs plain loop {plainWall:F1} s (means): {100 * (runnerWall - plainWall) / runnerWall:F2}% of the runner's wall time");
        Console.WriteLine($"overhead_percent={inRun.ToString("F2", CultureInfo.InvariantCulture)}");
        return 0;
    }

    static async Task<(double Wall, double Busy, double Compute)> Runner(SweepDefinition definition, int slots)
    {
        string dir = Directory.CreateTempSubdirectory("actorsweep-bench-").FullName;
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
            double wall = clock.Elapsed.TotalSeconds;
            var agent = host.Services.GetRequiredService<ActorRegistry>().Get<NodeAgent>();
            var stats = await agent.Ask<NodeAgent.NodeStats>(new NodeAgent.GetStats(), TimeSpan.FromSeconds(10));
            await host.StopAsync();
            return (wall, stats.BusySeconds, stats.ComputeSeconds);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The same runs on <paramref name="threads"/> threads taking from one queue in order, straight through.</summary>
    static (double Wall, double Compute) PlainLoop(SweepDefinition definition, int threads)
    {
        var queue = new System.Collections.Concurrent.ConcurrentQueue<ActorSweep.Messages.Runs.RunSpec>(definition.Runs);
        double compute = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            while (queue.TryDequeue(out var run))
            {
                long started = Stopwatch.GetTimestamp();
                using (var session = RunSessions.Start(run.Definition, null))
                {
                    while (!session.Finished) session.TrainStep();
                    session.Finish();
                }
                double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                lock (queue) compute += seconds;
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        return (clock.Elapsed.TotalSeconds, compute);
    }

    internal static async Task<SweepState> WaitFinished(SweepClient client, string sweepId)
    {
        var notifications = client.Watch(sweepId);
        await foreach (var message in notifications.ReadAllAsync())
            if (message is SweepFinished) break;
        return (await client.StateAsync(sweepId))!;
    }
}
