using System.CommandLine;

namespace ActorSweep.Seed.Cli;

/// <summary>The `actorsweep` command line: one subcommand per file in this folder.</summary>
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
        root.Add(InspectCommands.Status());
        root.Add(InspectCommands.Results());
        root.Add(InspectCommands.Replay());
        root.Add(SeedCommand.Create());
        root.Add(ApiCommands.Submit());
        root.Add(ApiCommands.Cancel());
        return root;
    }

    /// <summary>Parses and runs; usage errors print to standard error and exit with <see cref="ExitCodes.Usage"/>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null,
                                           CancellationToken cancellation = default)
    {
        // Ctrl-C and SIGTERM cancel the command; it then has this long to checkpoint and hand runs back.
        var config = new InvocationConfiguration
        {
            Output = output ?? Console.Out, Error = error ?? Console.Error, ProcessTerminationTimeout = TimeSpan.FromMinutes(3),
        };
        var parsed = Build().Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) config.Error.WriteLine($"error: {e.Message}");
            config.Error.WriteLine("Run 'actorsweep --help' or 'actorsweep COMMAND --help' for usage.");
            return ExitCodes.Usage;
        }
        return await parsed.InvokeAsync(config, cancellation);
    }
}

/// <summary>Process exit codes of the command line.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    /// <summary>Bad arguments or bad input: nothing was changed.</summary>
    public const int Usage = 2;
    /// <summary>Stopped by Ctrl-C or SIGTERM after saving state.</summary>
    public const int Interrupted = 130;
}
