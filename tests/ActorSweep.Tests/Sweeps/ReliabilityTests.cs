using System.Text.Json;
using ActorSweep.Hosting.Storage;
using ActorSweep.GpuNode.Node;
using ActorSweep.GpuNode.Training;
using ActorSweep.GpuNode.Runs;
using ActorSweep.Messages.Results;
using ActorSweep.Messages.Runs;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Messages.Work;
using ActorSweep.Seed.Persistence;
using ActorSweep.Tests.Infrastructure;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using ActorSweep.GpuNode.Hosting;

namespace ActorSweep.Tests.Sweeps;

/// <summary>
/// Failures on the embedded host with a real journal (SQLite and PostgreSQL) and a real (one-process) cluster: a crashing
/// training actor, exhausted retries, a stopped and restarted host, a draining node.
/// </summary>
public sealed class ReliabilityTests(PostgresServer postgres)
{
    /// <summary>Two small addition runs: 60 steps, a checkpoint every 20, 500 held-out pairs.</summary>
    internal const string TinyAddition = """
        name: tiny
        task: addition
        seeds: [1, 2]
        retries: 2
        budget: { steps: 60, eval_every: 20, checkpoint_every: 20 }
        defaults:
          d_model: 8
          d_ff: 16
          batch_size: 32
          curriculum: [[1, 3, 60]]
          eval_digits: 3
          eval_size: 50
          validation_size: 200
          test_size: 500
        """;

    /// <summary>The report the run gives when trained straight through in a plain loop, without the runner.</summary>
    internal static RunReport Uninterrupted(RunSpec run) => UninterruptedWithWeights(run).Report;

    /// <summary>The report and the final parameters of a run trained straight through.</summary>
    internal static (RunReport Report, float[] Parameters) UninterruptedWithWeights(RunSpec run)
    {
        using var session = RunSessions.Start(run.Definition, null);
        while (!session.Finished) session.TrainStep();
        var report = session.Finish();
        return (report, TrainingCheckpoint.FromBytes(session.Checkpoint()).Parameters);
    }

    /// <summary>The parameters in the final checkpoint a completed run left in the store.</summary>
    internal static float[] FinalWeights(ICheckpointStore store, RunState run) =>
        TrainingCheckpoint.FromBytes(store.Load(run.Checkpoint!.Reference)).Parameters;

    /// <summary>A report as JSON without its wall-clock time, for exact comparison.</summary>
    internal static string Comparable(RunReport report) => JsonSerializer.Serialize(report with { TrainSeconds = 0 });

    [Theory, MemberData(nameof(SweepHarness.Backends), MemberType = typeof(SweepHarness))]
    public async Task A_training_actor_that_crashes_mid_run_resumes_from_its_checkpoint_and_ends_identical(string backend)
    {
        await using var harness = await SweepHarness.CreateAsync(backend, postgres);
        var (_, client) = await harness.StartAsync(slots: 2, o => o with
        {
            AdjustNode = n => n with { InjectFault = (a, step) => a.Run.Seed == 1 && a.Attempt == 1 && step == 45 },
        });
        var definition = SweepHarness.Sweep(TinyAddition);
        var state = await SweepHarness.RunAsync(client, definition, TimeSpan.FromMinutes(2));

        var crashed = state.Runs["default@s1"];
        Assert.Equal((RunStatus.Completed, 2, 1), (crashed.Status, crashed.Attempt, crashed.Failures));
        Assert.Contains("injected fault", crashed.LastError);
        Assert.Equal(1, state.Runs["default@s2"].Attempt);

        await using var journal = await JournalReader.OpenAsync(harness.Database);
        var events = (await journal.EventsAsync("tiny")).Select(e => e.Event).Where(e => e is not RunsQueued and not SweepSubmitted).ToList();
        var retry = events.OfType<RunAssigned>().Single(a => a.RunId == "default@s1" && a.Attempt == 2);
        Assert.Equal(40, retry.ResumeFrom!.Step); // the last checkpoint before the crash at step 45
        Assert.Contains(events, e => e is RunFailed { RunId: "default@s1", Attempt: 1, Final: false });
        Assert.Contains(events, e => e is RunRequeued { RunId: "default@s1", Attempt: 1 });

        var store = harness.Database.CheckpointStore();
        foreach (var run in state.Runs.Values)
        {
            var (report, weights) = UninterruptedWithWeights(run.Spec);
            Assert.Equal(Comparable(report), Comparable(run.Report!));
            Assert.Equal(60, run.Checkpoint!.Step);
            Assert.Equal(weights, FinalWeights(store, run)); // bit for bit
        }
    }

    [Theory, MemberData(nameof(SweepHarness.Backends), MemberType = typeof(SweepHarness))]
    public async Task A_run_that_keeps_failing_fails_for_good_after_its_retries_and_the_rest_complete(string backend)
    {
        await using var harness = await SweepHarness.CreateAsync(backend, postgres);
        var (_, client) = await harness.StartAsync(slots: 2, o => o with
        {
            AdjustNode = n => n with { InjectFault = (a, step) => a.Run.Seed == 2 && step == 25 },
        });
        var state = await SweepHarness.RunAsync(client, SweepHarness.Sweep(TinyAddition), TimeSpan.FromMinutes(2));
        var failing = state.Runs["default@s2"];
        Assert.Equal((RunStatus.Failed, 3, 3), (failing.Status, failing.Attempt, failing.Failures)); // retries: 2
        Assert.Equal(RunStatus.Completed, state.Runs["default@s1"].Status);
        Assert.True(state.Finished);
        Assert.Equal(1, state.Summary().Failed);
    }

    [Theory, MemberData(nameof(SweepHarness.Backends), MemberType = typeof(SweepHarness))]
    public async Task A_host_stopped_mid_sweep_hands_its_runs_back_and_resumes_them_on_restart_exactly_once(string backend)
    {
        await using var harness = await SweepHarness.CreateAsync(backend, postgres);
        const string slow = """
            name: slow
            task: noop
            seeds: [1, 2, 3, 4, 5, 6]
            defaults: { steps: 40, step_seconds: 0.02, checkpoint_every: 5 }
            """;
        var definition = SweepHarness.Sweep(slow);
        var (first, client) = await harness.StartAsync(slots: 2);
        Assert.IsType<SweepAccepted>(await client.SubmitAsync(definition));
        var notifications = client.Watch(definition.SweepId);
        await SweepHarness.WaitForAsync<SweepChanged>(notifications, TimeSpan.FromSeconds(60), c => c.Summary.Completed >= 2 && c.Summary.Running > 0);
        await SweepHarness.WaitForAsync<RunProgress>(notifications, TimeSpan.FromSeconds(60), p => p.Step is >= 10 and <= 30); // a run with progress to keep
        await first.StopAsync(); // shutdown drains: running runs are checkpointed and handed back

        var (_, again) = await harness.StartAsync(slots: 2);
        var resumed = await again.SubmitAsync(definition);
        Assert.Equal(new SweepAccepted("slow", 6, Resumed: true), resumed);
        var watch = again.Watch(definition.SweepId);
        await SweepHarness.WaitForAsync<SweepFinished>(watch, TimeSpan.FromSeconds(60));
        var state = (await again.StateAsync("slow"))!;
        Assert.All(state.Runs.Values, r => Assert.Equal((RunStatus.Completed, 40L), (r.Status, r.Report!.Steps)));

        await using var journal = await JournalReader.OpenAsync(harness.Database);
        var events = (await journal.EventsAsync("slow")).Select(e => e.Event).ToList();
        Assert.All(state.Runs.Keys, id => Assert.Single(events.OfType<RunCompleted>(), c => c.RunId == id));
        var requeued = events.OfType<RunRequeued>().ToList();
        Assert.NotEmpty(requeued);
        Assert.All(requeued, r => Assert.Contains("released by", r.Reason));
        // Every resumed attempt started from the checkpoint its run was handed back with (or had, when
        // the hand-back came before the run started), and at least one had made progress to keep.
        foreach (var requeue in requeued)
        {
            var atRequeue = JournalReader.Fold("slow", events.TakeWhile(e => !ReferenceEquals(e, requeue)).Append(requeue));
            var next = events.OfType<RunAssigned>().Single(a => a.RunId == requeue.RunId && a.Attempt == requeue.Attempt + 1);
            Assert.Equal(atRequeue.Runs[requeue.RunId].Checkpoint, next.ResumeFrom);
        }
        Assert.Contains(events.OfType<RunAssigned>(), a => a.Attempt > 1 && a.ResumeFrom is not null);
        Assert.Equal(0, state.Runs.Values.Sum(r => r.Failures));
    }

    [Theory, MemberData(nameof(SweepHarness.Backends), MemberType = typeof(SweepHarness))]
    public async Task Resubmitting_the_same_sweep_resumes_it_and_different_contents_under_its_name_are_refused(string backend)
    {
        await using var harness = await SweepHarness.CreateAsync(backend, postgres);
        var (_, client) = await harness.StartAsync(slots: 1);
        var definition = SweepHarness.Sweep("name: same\ntask: noop\nseeds: [1]\n");
        await SweepHarness.RunAsync(client, definition, TimeSpan.FromSeconds(60));
        Assert.Equal(new SweepAccepted("same", 1, Resumed: true), await client.SubmitAsync(definition));
        var rejected = Assert.IsType<SweepRejected>(await client.SubmitAsync(SweepHarness.Sweep("name: same\ntask: noop\nseeds: [2]\n")));
        Assert.Contains("different contents", rejected.Reason);
    }

    [Theory, MemberData(nameof(SweepHarness.Backends), MemberType = typeof(SweepHarness))]
    public async Task Draining_a_node_checkpoints_its_runs_and_hands_them_back(string backend)
    {
        await using var harness = await SweepHarness.CreateAsync(backend, postgres);
        var (host, client) = await harness.StartAsync(slots: 2);
        var definition = SweepHarness.Sweep("""
            name: drain
            task: noop
            seeds: [1, 2]
            defaults: { steps: 1000, step_seconds: 0.01, checkpoint_every: 500 }
            """);
        Assert.IsType<SweepAccepted>(await client.SubmitAsync(definition));
        var notifications = client.Watch("drain");
        await SweepHarness.WaitForAsync<RunProgress>(notifications, TimeSpan.FromSeconds(30), p => p.Step > 5);
        var drained = await NodeAgentHosting.DrainAsync(host.Services.GetRequiredService<Akka.Hosting.ActorRegistry>(), TimeSpan.FromSeconds(30));
        Assert.Equal(2, drained.Released);

        var state = (await client.StateAsync("drain"))!;
        Assert.All(state.Runs.Values, r =>
        {
            Assert.Equal(RunStatus.Queued, r.Status);
            Assert.InRange(r.Checkpoint!.Step, 1, 999); // saved where it stopped, not at a cadence boundary
        });
    }

    [Theory, MemberData(nameof(SweepHarness.Backends), MemberType = typeof(SweepHarness))]
    public async Task A_hung_worker_loses_its_run_when_the_lease_expires_and_its_late_reports_change_nothing(string backend)
    {
        await using var harness = await SweepHarness.CreateAsync(backend, postgres);
        using var hang = new ManualResetEventSlim(false);
        var (host, client) = await harness.StartAsync(slots: 2, o => o with
        {
            // Attempt 1 of seed 1 blocks its training thread at step 30: alive, but silent.
            AdjustNode = n => n with { InjectFault = (a, step) => { if (a.Run.Seed == 1 && a.Attempt == 1 && step == 30) hang.Wait(); return false; } },
        });
        var definition = SweepHarness.Sweep(TinyAddition.Replace("retries: 2", "retries: 2\nlease: 2"));
        Assert.Equal(2, definition.LeaseSeconds);
        var state = await SweepHarness.RunAsync(client, definition, TimeSpan.FromMinutes(2));

        var hung = state.Runs["default@s1"];
        Assert.Equal((RunStatus.Completed, 2, 0), (hung.Status, hung.Attempt, hung.Failures));
        await using var journal = await JournalReader.OpenAsync(harness.Database);
        var requeue = Assert.Single((await journal.EventsAsync("tiny")).Select(e => e.Event).OfType<RunRequeued>());
        Assert.Equal(("default@s1", 1), (requeue.RunId, requeue.Attempt));
        Assert.Contains("lease expired", requeue.Reason);

        hang.Set(); // the hung attempt wakes up, trains on and reports: all of it is fenced off
        var countBefore = state.EventCount;
        var agent = host.Services.GetRequiredService<ActorRegistry>().Get<NodeAgent>();
        for (var deadline = DateTime.UtcNow.AddMinutes(1); ; await Task.Delay(50))
        {
            // Three attempts ended (the woken one too) and the supervisor has acknowledged every report.
            var stats = await agent.Ask<NodeAgent.NodeStats>(new NodeAgent.GetStats(), TimeSpan.FromSeconds(5));
            if (stats is { Completed: 3, Busy: 0, Unacknowledged: 0 }) break;
            Assert.True(DateTime.UtcNow < deadline, $"the woken attempt did not finish and report: {stats}");
        }
        var after = (await client.StateAsync("tiny"))!;
        Assert.Equal(countBefore, after.EventCount);
        Assert.Equal(Comparable(Uninterrupted(hung.Spec)), Comparable(after.Runs["default@s1"].Report!));
    }
}
