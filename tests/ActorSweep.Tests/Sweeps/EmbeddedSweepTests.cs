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
}
