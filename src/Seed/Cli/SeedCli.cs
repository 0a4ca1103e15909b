using System.CommandLine;

namespace ActorSweep.Seed.Cli;

/// <summary>
/// The commands that need no model: host a seed, read a journal, talk to a seed's API. They are
/// all of `actorsweep-seed` (the seed image) and a part of `actorsweep`.
/// </summary>
public static class SeedCli
{
    public static IEnumerable<Command> Commands(SeedCommand.WorkerFactory? worker = null) =>
    [
        InspectCommands.Status(),
        InspectCommands.Results(),
        InspectCommands.Replay(),
        ExportCommand.Create(),
        CompareCommand.Create(),
        SeedCommand.Create(worker),
        ApiCommands.Submit(),
        ApiCommands.Cancel(),
        ApiCommands.Promote(),
        CertsCommand.Create(),
    ];

    /// <summary>Parses and runs; usage errors print to standard error and exit with <see cref="ExitCodes.Usage"/>.</summary>
    public static async Task<int> RunAsync(RootCommand root, string program, string[] args, TextWriter? output = null, TextWriter? error = null,
                                           CancellationToken cancellation = default)
    {
        // Ctrl-C and SIGTERM cancel the command; it then has this long to checkpoint and hand runs back.
        var config = new InvocationConfiguration
        {
            Output = output ?? Console.Out, Error = error ?? Console.Error, ProcessTerminationTimeout = TimeSpan.FromMinutes(3),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) config.Error.WriteLine($"error: {e.Message}");
            config.Error.WriteLine($"Run '{program} --help' or '{program} COMMAND --help' for usage.");
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
