using ActorSweep.GpuNode.Training;
using ActorSweep.Seed.Cli;
using ActorSweep.Cli;
using ActorSweep.Tests.Training;

namespace ActorSweep.Tests.Cli;

/// <summary>Bad command-line input gets a clear error naming the problem, exit code 2, and changes nothing.</summary>
public sealed class BadInputTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("actorsweep-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("--model is required", "train")]
    [InlineData("unknown model 'pico-99d'", "train", "--model", "pico-99d")]
    [InlineData("'steps' = 0", "train", "--model", "pico-7d-ff14-lr02", "--steps", "0")]
    [InlineData("abc", "train", "--model", "pico-7d-ff14-lr02", "--steps", "abc")]
    [InlineData("--threads must be at least 1", "train", "--model", "pico-7d-ff14-lr02", "--threads", "0")]
    [InlineData("--n must lie in", "eval", "--checkpoint", "x.ckpt", "--n", "0")]
    [InlineData("--checkpoint", "predict")]
    [InlineData("frobnicate", "frobnicate")]
    public async Task Usage_errors_exit_2_with_a_message(string expected, params string[] args)
    {
        var result = await CliRunner.RunAsync(args);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.DoesNotContain("   at ", result.Error); // no stack trace
    }

    [Fact]
    public async Task A_missing_or_damaged_checkpoint_is_named()
    {
        string missing = Path.Combine(_dir, "missing.ckpt");
        var r1 = await CliRunner.RunAsync("eval", "--checkpoint", missing);
        Assert.Equal(ExitCodes.Usage, r1.ExitCode);
        Assert.Contains("does not exist", r1.Error);

        string damaged = Path.Combine(_dir, "damaged.ckpt");
        using (var trainer = new Trainer(CheckpointResumeTests.SmallRun())) trainer.Checkpoint().Save(damaged);
        var bytes = File.ReadAllBytes(damaged);
        bytes[^40] ^= 1;
        File.WriteAllBytes(damaged, bytes);
        var r2 = await CliRunner.RunAsync("train", "--resume", damaged);
        Assert.Equal(ExitCodes.Usage, r2.ExitCode);
        Assert.Contains("damaged", r2.Error);

        var r3 = await CliRunner.RunAsync("predict", "--checkpoint", Path.Combine(_dir, "damaged.ckpt"));
        Assert.Equal(ExitCodes.Usage, r3.ExitCode);
    }

    [Fact]
    public async Task Resume_refuses_options_that_would_change_the_run()
    {
        string file = Path.Combine(_dir, "run", "checkpoint.ckpt");
        using (var trainer = new Trainer(CheckpointResumeTests.SmallRun())) trainer.Checkpoint().Save(file);
        var before = File.ReadAllBytes(file);
        var result = await CliRunner.RunAsync("train", "--resume", file, "--seed", "1");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--seed 1 does not match the checkpoint's run (9)", result.Error);
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Fact]
    public async Task Training_into_a_folder_that_holds_a_checkpoint_is_refused()
    {
        string folder = Path.Combine(_dir, "taken");
        string file = Path.Combine(folder, "checkpoint.ckpt");
        using (var trainer = new Trainer(CheckpointResumeTests.SmallRun())) trainer.Checkpoint().Save(file);
        var before = File.ReadAllBytes(file);
        var result = await CliRunner.RunAsync("train", "--model", "pico-7d-ff14-lr02", "--out", folder);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("already holds a checkpoint", result.Error);
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Theory]
    [InlineData("1 2\n3 4\n5 x\n7 8\n", 3, "'x' is not an integer")]
    [InlineData("1 2\n\n", 2, "found 0 fields")]
    [InlineData("1 2 3\n", 1, "found 3 fields")]
    [InlineData("12345678901 1\n", 1, "not an integer in [0, 9999999999]")]
    [InlineData("-5 1\n", 1, "'-5' is not an integer")]
    public void Predict_stops_at_a_malformed_line_after_answering_the_lines_before_it(string input, int badLine, string problem)
    {
        using var model = new ActorSweep.GpuNode.Models.AdditionTransformer(new() { DModel = 7, DFf = 14 }, seed: 1);
        var output = new StringWriter();
        var error = new StringWriter();
        int code = PredictCommand.Run(model, new StringReader(input), output, error, batchSize: 2);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"line {badLine}: ", error.ToString());
        Assert.Contains(problem, error.ToString());
        Assert.Equal(badLine - 1, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
