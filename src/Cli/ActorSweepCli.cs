using System.CommandLine;
using ActorSweep.Seed.Cli;

namespace ActorSweep.Cli;

/// <summary>
/// The `actorsweep` command line, the composition root: the training commands (one file each in
/// this folder) and every command of the seed host, whose `seed` can train here too (--slots).
/// </summary>
public static class ActorSweepCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("ActorSweep: an actor-based experiment runner for training sweeps.");
        root.Add(ModelsCommand.Create());
        root.Add(TrainCommand.Create());
        root.Add(PredictCommand.Create());
        root.Add(EvalCommand.Create());
        root.Add(RunCommand.Create());
        foreach (var command in SeedCli.Commands(EmbeddedHost.Worker)) root.Add(command);
        return root;
    }

    public static Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellation = default) =>
        SeedCli.RunAsync(Build(), "actorsweep", args, output, error, cancellation);
}
