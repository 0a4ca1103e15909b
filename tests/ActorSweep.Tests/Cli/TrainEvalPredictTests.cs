using ActorSweep.Tasks.Addition;
using System.Text.Json;
using ActorSweep.GpuNode.Training;
using ActorSweep.Seed.Cli;

namespace ActorSweep.Tests.Cli;

/// <summary>`actorsweep train` end to end: its output folder, an interrupted run resumed, then eval and predict on the result.</summary>
public sealed class TrainEvalPredictTests : IDisposable
{
    const string Model = "pico-7d-ff14-lr02";
    readonly string _dir = Directory.CreateTempSubdirectory("actorsweep-train-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Train_writes_checkpoint_metrics_report_and_plots_and_a_resumed_run_matches()
    {
        string full = Path.Combine(_dir, "full");
        var result = await CliRunner.RunAsync("train", "--model", Model, "--steps", "60", "--seed", "3", "--out", full);
        Assert.True(result.ExitCode == ExitCodes.Ok, result.Error + result.Output);
        Assert.Contains("test exact match", result.Output);

        foreach (var file in new[] { "checkpoint.ckpt", "best.ckpt", "metrics.csv", "report.json", "loss.png", "validation.png", "per_digit_accuracy.png" })
            Assert.True(File.Exists(Path.Combine(full, file)), $"{file} is missing");
        foreach (var png in Directory.GetFiles(full, "*.png"))
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png).Take(4).ToArray());

        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(full, "report.json")));
        var root = report.RootElement;
        foreach (var key in new[] { "model", "params", "steps", "final_loss", "exact_match", "per_digit_accuracy", "failures" })
            Assert.True(root.TryGetProperty(key, out _), $"report.json lacks '{key}'");
        Assert.Equal(Model, root.GetProperty("model").GetString());
        Assert.Equal(777, root.GetProperty("params").GetInt64());
        Assert.Equal(60, root.GetProperty("steps").GetInt64());
        Assert.Equal(10000, root.GetProperty("test_pairs").GetInt32());
        Assert.Equal(11, root.GetProperty("per_digit_accuracy").GetArrayLength());
        Assert.True(root.GetProperty("failures").GetArrayLength() >= 10);

        var metrics = File.ReadAllLines(Path.Combine(full, "metrics.csv"));
        Assert.Equal("step,train_loss,learning_rate,val_exact_match", metrics[0]);
        Assert.Equal(2, metrics.Length); // loss every 100 steps and validation every 1,000, plus the last step: one row
        Assert.StartsWith("60,", metrics[1]);

        // Interrupt a second run at its first checkpoint, then resume it to the end.
        string split = Path.Combine(_dir, "split");
        using var stop = new CancellationTokenSource();
        using var watcher = new FileSystemWatcher(Directory.CreateDirectory(split).FullName) { EnableRaisingEvents = true };
        watcher.Renamed += (_, e) => { if (e.Name == "checkpoint.ckpt") stop.Cancel(); }; // saved atomically: written, then renamed
        var interrupted = await CliRunner.RunAsync(["train", "--model", Model, "--steps", "60", "--seed", "3", "--out", split, "--checkpoint-every", "10"], stop.Token);
        Assert.True(interrupted.ExitCode == ExitCodes.Interrupted, interrupted.Error + interrupted.Output);
        var partial = TrainingCheckpoint.Load(Path.Combine(split, "checkpoint.ckpt"));
        Assert.InRange(partial.Step, 10, 59);

        var resumed = await CliRunner.RunAsync("train", "--resume", Path.Combine(split, "checkpoint.ckpt"));
        Assert.True(resumed.ExitCode == ExitCodes.Ok, resumed.Error + resumed.Output);
        Assert.Contains($"Resuming at step {partial.Step}", resumed.Output);
        var a = TrainingCheckpoint.Load(Path.Combine(full, "checkpoint.ckpt"));
        var b = TrainingCheckpoint.Load(Path.Combine(split, "checkpoint.ckpt"));
        Assert.Equal(60, b.Step);
        Assert.Equal(a.Parameters, b.Parameters);
        Assert.Equal(a.SecondMoment, b.SecondMoment);
        Assert.Equal(File.ReadAllText(Path.Combine(full, "metrics.csv")), File.ReadAllText(Path.Combine(split, "metrics.csv")));

        // eval on the run's held-out set, as JSON.
        // One thread: libtorch's thread count is process-wide, and other tests train in this process.
        var eval = await CliRunner.RunAsync("eval", "--checkpoint", Path.Combine(full, "checkpoint.ckpt"), "--n", "300", "--json", "--threads", "1");
        Assert.True(eval.ExitCode == ExitCodes.Ok, eval.Error);
        using var evalJson = JsonDocument.Parse(eval.Output);
        Assert.Equal(300, evalJson.RootElement.GetProperty("pairs").GetInt32());
        Assert.Equal(0, evalJson.RootElement.GetProperty("training_overlap").GetInt32());
        Assert.Equal(3, evalJson.RootElement.GetProperty("seed").GetInt64());
        // The edge cases (zeros, all nines, carries through every digit), counted and their failures listed.
        Assert.Equal(EdgeCases.Pairs.Count, evalJson.RootElement.GetProperty("edge_cases").GetInt32());
        double edgeMatch = evalJson.RootElement.GetProperty("edge_case_exact_match").GetDouble();
        Assert.Equal((int)Math.Round((1 - edgeMatch) * EdgeCases.Pairs.Count), evalJson.RootElement.GetProperty("edge_case_failures").GetArrayLength());

        // predict as a real process, reading standard input.
        var predicted = await CliRunner.RunProcessAsync("5 7\n123 456\n9999999999 1\n", "predict", "--checkpoint", Path.Combine(full, "checkpoint.ckpt"));
        Assert.True(predicted.ExitCode == 0, predicted.Error);
        var lines = predicted.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.True(l == "?" || long.TryParse(l, out _), $"'{l}' is not a sum"));
    }

    [Fact]
    public async Task Predict_process_reports_a_malformed_line_without_crashing()
    {
        string file = Path.Combine(_dir, "model.ckpt");
        using (var trainer = new Trainer(Training.CheckpointResumeTests.SmallRun())) trainer.Checkpoint().Save(file);
        var result = await CliRunner.RunProcessAsync("1 2\nthree 4\n", "predict", "--checkpoint", file);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("error: line 2: 'three' is not an integer", result.Error);
        Assert.DoesNotContain("Unhandled exception", result.Error);
        Assert.Single(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
