using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Api;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Persistence;

namespace ActorSweep.Bench;

/// <summary>
/// How long a busy worker takes to drain after SIGTERM, against a spot VM's ~30 s preemption
/// notice. A seed and one worker run as processes on loopback; every slot of the worker trains an
/// addition run (model size from --d-model/--d-ff, so the checkpoint can be made large). Once every
/// run is past its first checkpoint, the worker gets SIGTERM and the clock runs until its process
/// exits: each training actor finishes its step, checkpoints, reports the run released, the
/// supervisor requeues it, and the node leaves the cluster. Prints the drain time and the steps the
/// resumed runs must redo (0 when each was handed back at the step it had reached).
/// </summary>
public static class DrainBench
{
    public static async Task<int> Run(BenchOptions options)
    {
        int rounds = options.Int("rounds", 3), slots = options.Int("slots", 4);
        int dModel = options.Int("d-model", 64), dFf = options.Int("d-ff", 256);
        bool tls = options.String("tls") is "on" or "true";
        Console.WriteLine($"{rounds} rounds: SIGTERM a worker with {slots} busy slots (addition model d_model={dModel}, d_ff={dFf}){(tls ? " with mutual TLS" : "")}");
        var seconds = new List<double>();
        for (int round = 1; round <= rounds; round++)
        {
            var (drain, handedBack, lost) = await RoundAsync(round, slots, dModel, dFf, tls);
            seconds.Add(drain);
            Console.WriteLine($"round {round}: SIGTERM -> process exited {drain:F2} s; {handedBack}/{slots} runs handed back, steps to redo {lost}");
        }
        double median = seconds.Order().ElementAt(seconds.Count / 2);
        Console.WriteLine($"median {median:F2} s over {rounds} rounds (a spot VM's notice is about 30 s; the pods' grace period is 90 s)");
        Console.WriteLine($"drain_seconds={median.ToString("F2", CultureInfo.InvariantCulture)} slots={slots} d_model={dModel}");
        return 0;
    }

    static async Task<(double Drain, int HandedBack, long Lost)> RoundAsync(int round, int slots, int dModel, int dFf, bool tls)
    {
        using var cluster = new BenchCluster(tls);
        int seedPort = BenchCluster.FreePort(), apiPort = BenchCluster.FreePort();
        cluster.StartSeed(seedPort, apiPort);
        using var api = ApiClient.Create($"http://127.0.0.1:{apiPort}", null);
        await BenchCluster.Until(async () => { try { await api.ListAsync(); return true; } catch (ApiException) { return false; } }, "the seed's API");
        var worker = cluster.StartWorker(BenchCluster.FreePort(), seedPort, slots);
        string sweep = $"drain-{round}";
        string seeds = string.Join(", ", Enumerable.Range(1, slots));
        await api.SubmitAsync($$"""
            name: {{sweep}}
            task: addition
            seeds: [{{seeds}}]
            budget: { steps: 1000000, checkpoint_every: 50, eval_every: 1000000 }
            defaults: { d_model: {{dModel}}, d_ff: {{dFf}}, batch_size: 64 }
            """, "bench");

        SweepStateReply before = null!;
        await BenchCluster.Until(async () =>
        {
            before = await api.StateAsync(sweep);
            return before.State!.Runs.Values.Count(r => r is { Status: RunStatus.Running, Checkpoint.Step: >= 50 }) == slots;
        }, "every slot past its first checkpoint");
        var stepsBefore = before.Live!.ToDictionary(p => p.RunId, p => p.Step);

        var clock = Stopwatch.StartNew();
        if (kill(worker.Id, 15) != 0) throw new InvalidOperationException("SIGTERM failed");
        await worker.WaitForExitAsync();
        double drain = clock.Elapsed.TotalSeconds;

        await using var journal = await JournalReader.OpenAsync(JournalDatabase.ExistingSqlite(cluster.Db));
        var events = (await journal.EventsAsync(sweep)).Select(e => e.Event).ToList();
        var state = JournalReader.Fold(sweep, events);
        int handedBack = events.OfType<RunRequeued>().Count();
        // Steps a resumed run redoes: those it had trained (seen before SIGTERM) beyond its last checkpoint.
        long lost = state.Runs.Values.Sum(r => Math.Max(0, stepsBefore.GetValueOrDefault(r.Spec.RunId) - (r.Checkpoint?.Step ?? 0)));
        return (drain, handedBack, lost);
    }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int sig);
}
