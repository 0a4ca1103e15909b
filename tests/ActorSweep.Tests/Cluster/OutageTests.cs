using System.Net;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Persistence;
using ActorSweep.Seed.Sweeps;
using ActorSweep.Tests.Infrastructure;
using ActorSweep.Tests.Sweeps;

namespace ActorSweep.Tests.Cluster;

/// <summary>
/// PostgreSQL, which holds the journal and the checkpoints, stops for 30 s in the middle of a
/// sweep and starts again, with a seed and a worker running as real processes. A class of its
/// own: it runs beside the other cluster tests, on a server of its own that it can stop.
/// </summary>
public sealed class OutageTests(ITestOutputHelper output)
{
    /// <summary>Two tiny addition runs (3,000 steps, checkpointed every 100): long enough to span the outage.</summary>
    static readonly string Sweep = ClusterProcessTests.AdditionSweep.Replace("name: kill-worker", "name: outage");

    static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_30_s_PostgreSQL_outage_mid_sweep_costs_no_retry_keeps_logs_bounded_and_ends_identical()
    {
        await using var server = await PostgresServer.OwnAsync();
        using var cluster = await LocalCluster.CreateAsync(server);
        int seedPort = PostgresServer.FreePort(), apiPort = PostgresServer.FreePort();
        var seed = cluster.StartSeed("seed", seedPort, apiPort, [seedPort]);
        await cluster.WaitHealthyAsync(apiPort, TimeSpan.FromSeconds(60));
        var worker = cluster.StartWorker("worker", PostgresServer.FreePort(), [seedPort], slots: 2);
        using var api = LocalCluster.Api(apiPort);
        var definition = SweepFile.Parse(Sweep, "outage.yaml");
        await api.SubmitAsync(Sweep, "outage.yaml");
        await cluster.WaitForSweepAsync(api, "outage", s => s.State!.Runs.Values.Any(r => r.Status == RunStatus.Running && r.Checkpoint is { Step: >= 200 and <= 1500 }),
            TimeSpan.FromSeconds(60), "a running run with a checkpoint");

        await server.StopAsync();
        var stopped = DateTime.UtcNow;
        int seedLines = Lines(seed), workerLines = Lines(worker);
        using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}"), Timeout = TimeSpan.FromSeconds(15) })
        {
            // While the database is down, the seed's health says so (and the seed itself stays up).
            string health = "";
            await cluster.Until(async () =>
            {
                var response = await http.GetAsync("/healthz");
                health = await response.Content.ReadAsStringAsync();
                return response.StatusCode == HttpStatusCode.ServiceUnavailable && health.Contains("journal", StringComparison.OrdinalIgnoreCase);
            }, Outage, "/healthz to report the journal down");
            output.WriteLine($"/healthz during the outage: {health}");
        }
        var left = Outage - (DateTime.UtcNow - stopped);
        if (left > TimeSpan.Zero) await Task.Delay(left); // the outage lasts its full 30 s: its length is the fault, not a wait for something
        Assert.False(seed.HasExited, "the seed crashed during the outage");
        Assert.False(worker.HasExited, "the worker crashed during the outage");
        int seedOutageLines = Lines(seed) - seedLines, workerOutageLines = Lines(worker) - workerLines;
        await server.StartAsync();

        await cluster.WaitForSweepAsync(api, "outage", s => s.State!.Finished, TimeSpan.FromMinutes(4), "the sweep to finish after the outage");
        output.WriteLine($"log lines during the 30 s outage: seed {seedOutageLines}, worker {workerOutageLines}");
        output.WriteLine(cluster.Logs());
        // About one line per component per back-off step, not one per retry of a tight loop.
        Assert.True(seedOutageLines < 150, $"the seed wrote {seedOutageLines} log lines during the outage");
        Assert.True(workerOutageLines < 150, $"the worker wrote {workerOutageLines} log lines during the outage");

        var events = await cluster.EventsAsync("outage");
        var state = JournalReader.Fold("outage", events);
        foreach (var spec in definition.Runs)
            Assert.Single(events.OfType<RunCompleted>(), c => c.RunId == spec.RunId); // none lost, none counted twice
        Assert.Empty(events.OfType<RunFailed>()); // an outage is not the run's fault: no retry used
        Assert.All(state.Runs.Values, r => Assert.Equal(0, r.Failures));
        var store = JournalDatabase.Postgres(cluster.Postgres).CheckpointStore();
        foreach (var run in state.Runs.Values)
        {
            var (report, weights) = ReliabilityTests.UninterruptedWithWeights(run.Spec);
            Assert.Equal(ReliabilityTests.Comparable(report), ReliabilityTests.Comparable(run.Report!));
            Assert.Equal(weights, ReliabilityTests.FinalWeights(store, run)); // bit for bit
        }
    }

    static int Lines(NodeProcess process) => process.Output.Count(c => c == '\n');

    /// <summary>
    /// A seed started while PostgreSQL is still down (the first `kubectl apply` starts both at
    /// once): the supervisor's recovery fails, and its back-off supervisor starts it again until
    /// the journal answers. Once PostgreSQL is up the seed turns healthy by itself and runs a sweep.
    /// </summary>
    [Fact]
    public async Task A_seed_started_before_PostgreSQL_answers_recovers_by_itself_once_it_does()
    {
        await using var server = await PostgresServer.OwnAsync();
        using var cluster = await LocalCluster.CreateAsync(server);
        await server.StopAsync();
        int seedPort = PostgresServer.FreePort(), apiPort = PostgresServer.FreePort();
        var seed = cluster.StartSeed("seed", seedPort, apiPort, [seedPort]);
        using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}"), Timeout = TimeSpan.FromSeconds(15) })
            await cluster.Until(async () =>
            {
                try { return (await http.GetAsync("/healthz")).StatusCode == HttpStatusCode.ServiceUnavailable; }
                catch (HttpRequestException) { return false; }
            }, TimeSpan.FromSeconds(60), "the seed to serve /healthz, unhealthy, with the journal down");
        // The supervisor has tried and failed to recover before the database comes up.
        await cluster.Until(() => Task.FromResult(seed.Output.Contains("sweep-supervisor") && seed.Output.Contains("recover", StringComparison.OrdinalIgnoreCase)),
            TimeSpan.FromSeconds(60), "the supervisor's recovery to fail");
        Assert.False(seed.HasExited, "the seed gave up while the database was down");

        await server.StartAsync();
        await cluster.WaitHealthyAsync(apiPort, TimeSpan.FromSeconds(90));
        cluster.StartWorker("worker", PostgresServer.FreePort(), [seedPort], slots: 2);
        using var api = LocalCluster.Api(apiPort);
        await api.SubmitAsync("name: late\ntask: noop\nseeds: [1, 2, 3]\ndefaults: { steps: 10, checkpoint_every: 5 }\n", "late.yaml");
        await cluster.WaitForSweepAsync(api, "late", s => s.State!.Finished, TimeSpan.FromSeconds(60), "the sweep to finish");
        output.WriteLine(cluster.Logs());
        Assert.Equal(3, (await cluster.EventsAsync("late")).OfType<RunCompleted>().Count());
    }
}
