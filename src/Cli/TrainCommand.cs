using System.CommandLine;
using ActorSweep.GpuNode.Runs;
using ActorSweep.Hosting.Storage;
using ActorSweep.Tasks.Addition;
using ActorSweep.GpuNode.Training;
using ActorSweep.Messages.Results;
using ActorSweep.Seed.Reports;
using ActorSweep.Seed.Cli;
using Spectre.Console;

namespace ActorSweep.Cli;

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

            AdditionRun run;
            byte[]? checkpoint = null;
            string? resumePath = parse.GetValue(resume);
            try
            {
                if (resumePath is not null)
                {
                    checkpoint = File.Exists(resumePath) ? File.ReadAllBytes(resumePath) : throw new FileNotFoundException($"checkpoint '{resumePath}' does not exist");
                    run = TrainingCheckpoint.FromBytes(checkpoint, $"'{resumePath}'").Run;
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
            var definition = new AdditionDefinition(run, parse.GetValue(checkpointEvery));
            return Task.FromResult(Train(definition, checkpoint, artifacts, console, cancel));
        });
        return command;
    }

    static string? Mismatch(string option, string? given, string inCheckpoint) =>
        given is null || given == inCheckpoint ? null
            : $"{option} {given} does not match the checkpoint's run ({inCheckpoint}); a resumed run keeps its definition";

    /// <summary>
    /// The run loop the training actor drives, in a plain loop: checkpoints go to checkpoint.ckpt
    /// (with metrics.csv beside it), the best validation so far to best.ckpt.
    /// </summary>
    static int Train(AdditionDefinition definition, byte[]? checkpoint, RunArtifacts artifacts, IAnsiConsole console, CancellationToken cancel)
    {
        var run = definition.Run;
        Trainer trainer = null!;
        using var loop = RunLoop.Start(definition, checkpoint, (_, bytes) =>
        {
            AtomicFile.Write(artifacts.Checkpoint, bytes);
            artifacts.WriteMetrics(trainer.History);
            return artifacts.Checkpoint;
        });
        trainer = ((AdditionSession)loop.Session).Trainer;
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
                while (!loop.Finished)
                {
                    if (cancel.IsCancellationRequested) { interrupted = true; break; }
                    var step = loop.Advance();
                    if (step.Validated && loop.Session.LastValidation > bestValidation)
                    {
                        bestValidation = loop.Session.LastValidation.Value;
                        AtomicFile.Write(artifacts.BestCheckpoint, loop.Session.Checkpoint());
                    }
                    task.Value = step.Step;
                    if (step.Step % 25 == 0 || loop.Finished)
                        task.Description = $"step {step.Step:N0}  loss {loop.Session.LastLoss:F4}  val {(loop.Session.LastValidation is { } v ? v.ToString("P1") : "-")}";
                }
            });

        if (interrupted)
        {
            loop.SaveNow();
            console.MarkupLine($"[yellow]Stopped at step {trainer.Step:N0}.[/] Continue with: actorsweep train --resume {Markup.Escape(artifacts.Checkpoint)}");
            return ExitCodes.Interrupted;
        }

        loop.SaveNow(); // the trained model is on disk before the long evaluation
        RunReport report = null!;
        console.Status().Start($"Evaluating on {trainer.Data.Test.Count:N0} held-out pairs...", _ => report = loop.Finish().Report);
        artifacts.WriteReport(report);
        artifacts.WritePlots(report);
        ReportPrinter.Print(console, report);
        console.MarkupLine($"Wrote {Markup.Escape(artifacts.Report)}, metrics.csv, checkpoint.ckpt, best.ckpt and plots to {Markup.Escape(artifacts.Directory)}");
        return ExitCodes.Ok;
    }
}
