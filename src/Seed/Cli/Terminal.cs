using Spectre.Console;

namespace ActorSweep.Seed.Cli;

/// <summary>Spectre.Console bound to a command's output writer, so tests can read what a command prints.</summary>
public static class Terminal
{
    /// <summary>Width used when output goes to a file or pipe, where Spectre would assume 80 columns.</summary>
    const int RedirectedWidth = 160;

    public static IAnsiConsole For(TextWriter writer)
    {
        if (ReferenceEquals(writer, Console.Out))
        {
            var console = AnsiConsole.Console;
            if (Console.IsOutputRedirected) console.Profile.Width = RedirectedWidth;
            return console;
        }
        var captured = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        captured.Profile.Width = RedirectedWidth;
        return captured;
    }

    /// <summary>Writes "error: MESSAGE" to standard error and returns the usage exit code.</summary>
    public static int UsageError(TextWriter error, string message)
    {
        error.WriteLine($"error: {message}");
        return ExitCodes.Usage;
    }
}
