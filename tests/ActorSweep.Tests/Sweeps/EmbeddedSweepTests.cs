using ActorSweep.Messages.Sweeps;
using ActorSweep.Tests.Infrastructure;

namespace ActorSweep.Tests.Sweeps;

public sealed class EmbeddedSweepTests(PostgresServer postgres)
{
    [Theory, MemberData(nameof(SweepHarness.Backends), MemberType = typeof(SweepHarness))]
    public async Task A_noop_sweep_runs_to_completion_through_the_persistent_supervisor(string backend)
    {
        await using var harness = await SweepHarness.CreateAsync(backend, postgres);
        var (_, client) = await harness.StartAsync(slots: 2);
        var definition = SweepHarness.Sweep("""
            name: noop-grid
            task: noop
            seeds: [1, 2, 3]
            grid:
              steps: [5, 10]
            budget:
              checkpoint_every: 2
            """);
        var state = await SweepHarness.RunAsync(client, definition, TimeSpan.FromSeconds(60));
        Assert.Equal(6, state.Runs.Count);
        Assert.All(state.Runs.Values, r =>
        {
            Assert.Equal(RunStatus.Completed, r.Status);
            Assert.Equal(1, r.Attempt);
            Assert.Equal(r.Spec.Definition.TotalSteps, r.Report!.Steps);
            Assert.Contains(r.Report.Steps, new long[] { 5, 10 });
            Assert.NotNull(r.Checkpoint);
        });
        Assert.True(state.Finished);
    }

    /// <summary>
    /// A finished sweep is not started again when the supervisor recovers: listings show its
    /// journaled final summary, and its actor starts only when someone asks for its state.
    /// </summary>
    [Fact]
    public async Task A_finished_sweep_stays_passive_when_the_supervisor_recovers_until_asked_about()
    {
        await using var harness = new SweepHarness();
        var definition = SweepHarness.Sweep("name: done\ntask: noop\nseeds: [1, 2, 3]\ndefaults: { steps: 4, checkpoint_every: 2 }\n");
        var (first, client) = await harness.StartAsync();
        var finished = await SweepHarness.RunAsync(client, definition, TimeSpan.FromSeconds(60));
        await first.StopAsync();

        var (second, again) = await harness.StartAsync();
        var supervisor = ((Akka.Hosting.ActorRegistry)second.Services.GetService(typeof(Akka.Hosting.ActorRegistry))!).Get<ActorSweep.Hosting.Clustering.SweepSupervisorProxy>();
        var list = await Akka.Actor.Futures.Ask<SweepList>(supervisor, new ListSweeps(), TimeSpan.FromSeconds(30));
        var listed = Assert.Single(list.Sweeps, s => s.SweepId == "done");
        Assert.Equal(finished.Summary(), listed);
        var sweepActor = again.System.ActorSelection($"/user/{ActorSweep.Hosting.Clustering.ClusterSetup.SupervisorName}/*/*/done");
        await Assert.ThrowsAsync<Akka.Actor.ActorNotFoundException>(() => sweepActor.ResolveOne(TimeSpan.FromSeconds(2)));

        var state = await again.StateAsync("done"); // asked about: it starts, recovers and answers
        Assert.Equal(finished.EventCount, state!.EventCount);
        Assert.NotNull(await sweepActor.ResolveOne(TimeSpan.FromSeconds(5)));
    }
}
