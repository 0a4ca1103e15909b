using System.CommandLine;
using ActorSweep.GpuNode.Models;
using ActorSweep.GpuNode.Training;
using ActorSweep.Messages.Results;
using ActorSweep.Seed.Reports;
using Spectre.Console;
using TorchSharp;

namespace ActorSweep.Seed.Cli;

/// <summary>
/// `actorsweep train --model NAME [--seed N] [--steps N] [--out DIR] [--resume CHECKPOINT]`:
/// trains one built-in configuration with the seed's recipe, writing the checkpoint, metrics,
/// report.json and plots to DIR. Ctrl-C saves a checkpoint that --resume continues bit for bit.
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "Built-in configuration to train (see 'actorsweep models')." };
        var seed = new Option<long?>("--seed") { Description = "Run seed: initialisation, training data, validation and test sets (default 42)." };
        var steps = new Option<int?>("--steps") { Description = "Training steps (default 27000); the curriculum and LR schedule scale to it." };
        var output = new Option<string?>("--out", "-o") { Description = "Output folder (default runs/MODEL-seedN; with --resume, the checkpoint's folder)." };
        var resume = new Option<string?>("--resume") { Description = "Continue from this checkpoint file." };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Steps between checkpoints.", DefaultValueFactory = _ => 1000 };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads. Resumes are bit-identical at an equal thread count.", DefaultValueFactory = _ => 1 };

        var command = new Command("train", "Train one model with the seed's recipe; writes checkpoint, metrics, report.json and plots.")
        {
            model, seed, steps, output, resume, checkpointEvery, threads,
        };
        command.SetAction((parse, cancel) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var console = Terminal.For(parse.InvocationConfiguration.Output);
            if (parse.GetValue(checkpointEvery) < 1) return Task.FromResult(Terminal.UsageError(error, "--checkpoint-every must be at least 1"));
            if (parse.GetValue(threads) < 1) return Task.FromResult(Terminal.UsageError(error, "--threads must be at least 1"));

            RunDefinition run;
            TrainingCheckpoint? checkpoint = null;
            string? resumePath = parse.GetValue(resume);
            try
            {
                if (resumePath is not null)
                {
                    checkpoint = TrainingCheckpoint.Load(resumePath);
                    run = checkpoint.Run;
                    string? mismatch = Mismatch("--model", parse.GetValue(model), run.Name)
                                       ?? Mismatch("--seed", parse.GetValue(seed)?.ToString(), run.Seed.ToString())
                                       ?? Mismatch("--steps", parse.GetValue(steps)?.ToString(), run.Recipe.Steps.ToString());
                    if (mismatch is not null) return Task.FromResult(Terminal.UsageError(error, mismatch));
                }
                else
                {
                    string? name = parse.GetValue(model);
                    if (name is null) return Task.FromResult(Terminal.UsageError(error, "--model is required (or --resume CHECKPOINT); 'actorsweep models' lists the configurations"));
                    run = SeedConfigurations.Get(name).ToRun(parse.GetValue(seed) ?? 42, parse.GetValue(steps));
                    run.Validate();
                }
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException)
            {
                return Task.FromResult(Terminal.UsageError(error, e.Message));
            }

            string outDir = parse.GetValue(output)
                            ?? (resumePath is not null ? Path.GetDirectoryName(Path.GetFullPath(resumePath))! : Path.Combine("runs", $"{run.Name}-seed{run.Seed}"));
            var artifacts = new RunArtifacts(outDir);
            if (checkpoint is null && File.Exists(artifacts.Checkpoint))
                return Task.FromResult(Terminal.UsageError(error,
                    $"'{artifacts.Directory}' already holds a checkpoint; continue it with --resume {artifacts.Checkpoint} or choose another --out"));

            using var _ = TorchThreads.Use(parse.GetValue(threads));
            return Task.FromResult(Train(run, checkpoint, artifacts, parse.GetValue(checkpointEvery), console, cancel));
        });
        return command;
    }

    static string? Mismatch(string option, string? given, string inCheckpoint) =>
        given is null || given == inCheckpoint ? null
            : $"{option} {given} does not match the checkpoint's run ({inCheckpoint}); a resumed run keeps its definition";

    static int Train(RunDefinition run, TrainingCheckpoint? checkpoint, RunArtifacts artifacts, int checkpointEvery,
                     IAnsiConsole console, CancellationToken cancel)
    {
        using var trainer = checkpoint is null ? new Trainer(run) : Trainer.Resume(checkpoint);
        console.MarkupLine($"[bold]{Markup.Escape(run.Name)}[/]: {Markup.Escape(run.Model.Shape())}, {run.Model.ParameterCount:N0} parameters, " +
                           $"lr {run.Recipe.PeakLearningRate}, seed {run.Seed}, {run.Recipe.Steps:N0} steps ({Markup.Escape(trainer.Data.Curriculum.ToString())})");
        if (checkpoint is not null) console.MarkupLine($"Resuming at step {trainer.Step:N0} from {Markup.Escape(artifacts.Directory)}");
        console.MarkupLine($"Writing to [blue]{Markup.Escape(artifacts.Directory)}[/]");

        bool interrupted = false;
        double bestValidation = trainer.History.BestValidation?.ExactMatch ?? -1;
        console.Progress()
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: run.Recipe.Steps);
                task.Value = trainer.Step;
                float loss = float.NaN;
                double validation = trainer.History.Validations.LastOrDefault()?.ExactMatch ?? double.NaN;
                while (!trainer.Finished)
                {
                    if (cancel.IsCancellationRequested) { interrupted = true; break; }
                    loss = trainer.TrainStep().Loss;
                    if (trainer.EvaluationDue)
                    {
                        validation = trainer.Validate();
                        if (validation > bestValidation)
                        {
                            bestValidation = validation;
                            trainer.Checkpoint().Save(artifacts.BestCheckpoint);
                        }
                    }
                    if (trainer.Step % checkpointEvery == 0 || trainer.Finished) SaveProgress(trainer, artifacts);
                    task.Value = trainer.Step;
                    if (trainer.Step % 25 == 0 || trainer.Finished)
                        task.Description = $"step {trainer.Step:N0}  loss {loss:F4}  val {(double.IsNaN(validation) ? "-" : validation.ToString("P1"))}";
                }
            });

        if (interrupted)
        {
            SaveProgress(trainer, artifacts);
            console.MarkupLine($"[yellow]Stopped at step {trainer.Step:N0}.[/] Continue with: actorsweep train --resume {Markup.Escape(artifacts.Checkpoint)}");
            return ExitCodes.Interrupted;
        }

        RunReport report = null!;
        EvaluationResult test = null!;
        console.Status().Start($"Evaluating on {trainer.Data.Test.Count:N0} held-out pairs...", _ =>
            (report, test) = RunReports.Evaluate(trainer, trainer.ElapsedSeconds));
        artifacts.WriteReport(report);
        artifacts.WritePlots(report);
        ReportPrinter.Print(console, report);
        console.MarkupLine($"Wrote {Markup.Escape(artifacts.Report)}, metrics.csv, checkpoint.ckpt, best.ckpt and plots to {Markup.Escape(artifacts.Directory)}");
        return ExitCodes.Ok;
    }

    static void SaveProgress(Trainer trainer, RunArtifacts artifacts)
    {
        trainer.Checkpoint().Save(artifacts.Checkpoint);
        artifacts.WriteMetrics(trainer.History);
    }
}
