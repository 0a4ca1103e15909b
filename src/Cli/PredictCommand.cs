using System.CommandLine;
using ActorSweep.Tasks.Addition;
using ActorSweep.GpuNode.Models;
using ActorSweep.GpuNode.Training;
using ActorSweep.Seed.Cli;

namespace ActorSweep.Cli;

/// <summary>
/// `actorsweep predict --checkpoint FILE`: reads lines "A B" from standard input and writes the
/// model's greedily decoded sum for each, one per line ("?" where it decoded no digit), in
/// batches. A malformed line stops with its line number on standard error and exit code 2;
/// the lines before it are answered.
/// </summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "Checkpoint file of a trained model.", Required = true };
        var batch = new Option<int>("--batch-size") { Description = "Lines decoded together.", DefaultValueFactory = _ => 4096 };
        var threads = CliOptions.Threads();
        var command = new Command("predict", "Read 'A B' lines from standard input; write the model's sum for each.") { checkpoint, batch, threads };
        command.SetAction(parse =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(batch) < 1) return Terminal.UsageError(error, "--batch-size must be at least 1");
            if (parse.GetValue(threads) < 1) return Terminal.UsageError(error, "--threads must be at least 1");
            TrainingCheckpoint loaded;
            try { loaded = TrainingCheckpoint.Load(parse.GetValue(checkpoint)!); }
            catch (Exception e) when (e is IOException or InvalidDataException) { return Terminal.UsageError(error, e.Message); }
            using var _ = TorchThreads.Use(parse.GetValue(threads));
            using var model = loaded.CreateModel();
            return Run(model, Console.In, parse.InvocationConfiguration.Output, error, parse.GetValue(batch));
        });
        return command;
    }

    public static int Run(AdditionTransformer model, TextReader input, TextWriter output, TextWriter error, int batchSize)
    {
        var pending = new List<(long A, long B)>(batchSize);
        long lineNumber = 0;
        string? line;
        while ((line = input.ReadLine()) is not null)
        {
            lineNumber++;
            if (!TryParse(line, out long a, out long b, out string problem))
            {
                Flush(model, pending, output);
                return Terminal.UsageError(error, $"line {lineNumber}: {problem}: \"{Truncate(line)}\"");
            }
            pending.Add((a, b));
            if (pending.Count == batchSize) Flush(model, pending, output);
        }
        Flush(model, pending, output);
        return ExitCodes.Ok;
    }

    /// <summary>Parses "A B": two whitespace-separated integers, each in [0, 9999999999].</summary>
    public static bool TryParse(string line, out long a, out long b, out string problem)
    {
        a = b = 0;
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2)
        {
            problem = $"expected two integers 'A B', found {parts.Length} field{(parts.Length == 1 ? "" : "s")}";
            return false;
        }
        if (!ParseOperand(parts[0], out a, out problem) || !ParseOperand(parts[1], out b, out problem)) return false;
        problem = "";
        return true;
    }

    static bool ParseOperand(string text, out long value, out string problem)
    {
        problem = "";
        if (text.All(char.IsAsciiDigit) && text.Length <= 19 && long.TryParse(text, out value) && value <= AdditionFormat.MaxOperand)
            return true;
        value = 0;
        problem = $"'{Truncate(text)}' is not an integer in [0, {AdditionFormat.MaxOperand}]";
        return false;
    }

    static void Flush(AdditionTransformer model, List<(long A, long B)> pending, TextWriter output)
    {
        if (pending.Count == 0) return;
        var format = model.Options.Format;
        foreach (var answer in Evaluator.DecodeAnswers(model, pending))
            output.WriteLine(format.Postprocess(answer)?.ToString() ?? "?");
        output.Flush();
        pending.Clear();
    }

    static string Truncate(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
