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

    /// <summary>
    /// Writes <paramref name="value"/> as JSON and a newline. On the process's own standard output
    /// it streams as UTF-8 (100,000 results are 47 MB: never built as one string); elsewhere (a
    /// test's writer) it goes through the writer.
    /// </summary>
    public static void WriteJson<T>(TextWriter writer, T value, System.Text.Json.JsonSerializerOptions options)
    {
        if (!ReferenceEquals(writer, Console.Out))
        {
            writer.WriteLine(System.Text.Json.JsonSerializer.Serialize(value, options));
            return;
        }
        writer.Flush();
        using var stdout = Console.OpenStandardOutput();
        using (var buffered = new BufferedStream(stdout, 1 << 16))
        {
            System.Text.Json.JsonSerializer.Serialize(buffered, value, options);
            buffered.Write("\n"u8);
        }
    }

    /// <summary>Writes "error: MESSAGE" to standard error and returns the usage exit code.</summary>
    public static int UsageError(TextWriter error, string message)
    {
        error.WriteLine($"error: {message}");
        return ExitCodes.Usage;
    }
}
