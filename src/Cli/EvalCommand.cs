using System.CommandLine;
using System.Text.Json;
using ActorSweep.GpuNode.Addition;
using ActorSweep.GpuNode.Training;
using ActorSweep.Messages.Results;
using ActorSweep.Tasks.Addition;
using ActorSweep.Seed.Reports;
using ActorSweep.Seed.Cli;
using Spectre.Console;

namespace ActorSweep.Cli;

/// <summary>
/// `actorsweep eval --checkpoint FILE [--n 10000] [--seed N]`: exact match, per-digit accuracy
/// and failures on N pairs with both operands uniform in [0, 10^10 − 1]. Without --seed these
/// are the run's held-out test pairs; either way it regenerates the run's training stream and
/// reports how many evaluated pairs the model was trained on.
/// </summary>
public static class EvalCommand
{
    public sealed record EvalOutput(string Model, long Params, long Steps, long Seed, int Pairs, double ExactMatch,
                                    double[] PerDigitAccuracy, int TrainingOverlap, int ValidationOverlap,
                                    IReadOnlyList<FailureReport> Failures)
    {
        /// <summary>Zeros, all nines and carries through every digit (<see cref="EdgeCases"/>); null where the run adds fewer digits.</summary>
        public int? EdgeCases { get; init; }
        public double? EdgeCaseExactMatch { get; init; }
        public IReadOnlyList<FailureReport>? EdgeCaseFailures { get; init; }
    }

    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "Checkpoint file of a trained model.", Required = true };
        var count = new Option<int>("--n") { Description = "Number of pairs.", DefaultValueFactory = _ => AdditionData.DefaultTestSize };
        var seed = new Option<long?>("--seed") { Description = "Draw pairs from this seed's test stream (default: the run's own held-out test set)." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var threads = CliOptions.Threads();
        var command = new Command("eval", "Evaluate a checkpoint on held-out addition pairs.") { checkpoint, count, seed, json, threads };
        command.SetAction(parse =>
        {
            var error = parse.InvocationConfiguration.Error;
            int n = parse.GetValue(count);
            if (n is < 1 or > 1_000_000) return Terminal.UsageError(error, "--n must lie in [1, 1000000]");
            if (parse.GetValue(threads) < 1) return Terminal.UsageError(error, "--threads must be at least 1");
            TrainingCheckpoint loaded;
            try { loaded = TrainingCheckpoint.Load(parse.GetValue(checkpoint)!); }
            catch (Exception e) when (e is IOException or InvalidDataException) { return Terminal.UsageError(error, e.Message); }

            using var _ = TorchThreads.Use(parse.GetValue(threads));
            var run = loaded.Run;
            var runData = AdditionData.For(run);
            long evalSeed = parse.GetValue(seed) ?? run.Seed;
            var pairs = AdditionData.For(run, evalSeed, n).Test;

            using var model = loaded.CreateModel();
            var result = Evaluator.Evaluate(model, pairs);
            var edges = run.Recipe.EvalDigits == AdditionFormat.OperandDigits ? Evaluator.Evaluate(model, EdgeCases.Pairs) : null;
            var overlap = HeldOutCheck.Count(runData, loaded.Step, run.Recipe.BatchSize, pairs);
            var output = new EvalOutput(run.Name, run.Model.ParameterCount, loaded.Step, evalSeed, pairs.Count, result.ExactMatch,
                result.PerDigitAccuracy, overlap.TrainingOverlap, overlap.ValidationOverlap, result.Failures.Select(f => f.ToReport()).ToList())
            {
                EdgeCases = edges is null ? null : EdgeCases.Pairs.Count,
                EdgeCaseExactMatch = edges?.ExactMatch,
                EdgeCaseFailures = edges?.Failures.Select(f => f.ToReport()).ToList(),
            };

            if (parse.GetValue(json))
            {
                parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(output, ReportJson.Options));
                return ExitCodes.Ok;
            }
            var console = Terminal.For(parse.InvocationConfiguration.Output);
            console.MarkupLine($"[bold]{Markup.Escape(run.Name)}[/] ({run.Model.ParameterCount:N0} parameters, step {loaded.Step:N0}) on {pairs.Count:N0} pairs from seed {evalSeed}" +
                               (evalSeed == run.Seed ? " (the run's held-out test set)" : ""));
            console.MarkupLine($"exact match: [bold]{result.ExactMatch:P2}[/] ({result.Correct:N0} of {result.Count:N0})");
            console.MarkupLine($"held out: {overlap.TrainingOverlap} of these pairs appear among the {overlap.TrainingPairsChecked:N0} training examples, {overlap.ValidationOverlap} in the validation set");
            if (edges is not null)
                console.MarkupLine($"edge cases (zeros, all nines, carries through every digit): [bold]{edges.Correct} of {edges.Count}[/]" +
                                   string.Concat(output.EdgeCaseFailures!.Select(f => Markup.Escape($"; wrong: {f.A} + {f.B} gave {f.Predicted?.ToString() ?? f.Decoded}"))));
            ReportPrinter.PrintDigits(console, result.PerDigitAccuracy);
            ReportPrinter.PrintFailures(console, output.Failures, 10);
            return ExitCodes.Ok;
        });
        return command;
    }
}
