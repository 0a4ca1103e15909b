using ActorSweep.Cli;
using ActorSweep.GpuNode.Training;
using ActorSweep.Tests.Cli;
using ActorSweep.Tests.Sweeps;

namespace ActorSweep.Tests.Training;

/// <summary>`actorsweep train` is the cluster's run loop used in-process: the same run trains to the same bits either way.</summary>
public sealed class OneLoopTests
{
    [Fact]
    public async Task The_train_command_and_a_sweep_train_a_run_to_the_same_bits()
    {
        await using var harness = new SweepHarness();
        var (_, client) = await harness.StartAsync(slots: 1);
        var sweep = SweepHarness.Sweep("""
            name: one-loop
            task: addition
            seeds: [3]
            budget: { steps: 60, checkpoint_every: 25 }
            runs:
              - { base: pico-7d-ff14-lr02 }
            """);
        var state = await SweepHarness.RunAsync(client, sweep, TimeSpan.FromMinutes(3));
        var inSweep = state.Runs["pico-7d-ff14-lr02@s3"];

        string output = Path.Combine(harness.Directory, "train");
        var result = await CliRunner.RunAsync("train", "--model", "pico-7d-ff14-lr02", "--seed", "3", "--steps", "60",
            "--checkpoint-every", "25", "--threads", "1", "--out", output);
        Assert.True(result.ExitCode == 0, result.Error + result.Output);

        var trained = TrainingCheckpoint.Load(Path.Combine(output, "checkpoint.ckpt"));
        Assert.Equal(60, trained.Step);
        Assert.True(trained.Run.SameAs(((ActorSweep.Tasks.Addition.AdditionDefinition)inSweep.Spec.Definition).Run));
        Assert.Equal(ReliabilityTests.FinalWeights(harness.Database.CheckpointStore(), inSweep), trained.Parameters);
        var report = RunArtifacts.ReadReport(Path.Combine(output, "report.json"));
        Assert.Equal(ReliabilityTests.Comparable(inSweep.Report!), ReliabilityTests.Comparable(report));
    }
}
