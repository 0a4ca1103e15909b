using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ActorSweep.GpuNode.Models;
using ActorSweep.Tasks.Addition;
using ActorSweep.GpuNode.Training;
using TorchSharp;

namespace ActorSweep.Bench;

/// <summary>
/// Training steps per second of the seed's 777-parameter model at batch 512 on one thread: our
/// full Trainer.TrainStep (data generation, forward, backward, clipping, AdamW) against the
/// same-shape PyTorch eager reference (bench/reference/ref_addition.py, which reuses one fixed
/// batch and so does less work per step). Rounds alternate so both see the same machine load.
/// </summary>
public static partial class TrainStepsBench
{
    public static int Run(BenchOptions options)
    {
        int rounds = options.Int("rounds", 3), steps = options.Int("steps", 300);
        string reference = options.String("reference") ?? Path.Combine(RepositoryRoot(), "bench", "reference", "ref_addition.py");
        string python = options.String("python") ?? "/usr/bin/python3";
        torch.set_num_threads(1);

        var run = SeedConfigurations.Get("pico-7d-ff14-lr02").ToRun(seed: 0);
        using var trainer = new Trainer(run);
        for (int i = 0; i < 30; i++) trainer.TrainStep(); // warm up

        var ours = new List<double>();
        var theirs = new List<double>();
        string? referenceProblem = null;
        Console.WriteLine($"pico-7d-ff14-lr02 (777 parameters), batch {run.Recipe.BatchSize}, 1 thread, {steps} steps per measurement, {rounds} rounds");
        for (int round = 1; round <= rounds; round++)
        {
            if (referenceProblem is null)
            {
                var (rate, problem) = RunReference(python, reference, steps);
                if (rate is double r) { theirs.Add(r); Console.WriteLine($"round {round}: pytorch eager reference {r,7:F1} steps/s"); }
                else referenceProblem = problem;
            }
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < steps; i++) trainer.TrainStep();
            double ourRate = steps / clock.Elapsed.TotalSeconds;
            ours.Add(ourRate);
            Console.WriteLine($"round {round}: actorsweep trainer       {ourRate,7:F1} steps/s");
        }

        double oursMedian = Median(ours);
        if (theirs.Count > 0)
        {
            double theirsMedian = Median(theirs);
            Console.WriteLine($"median: actorsweep {oursMedian:F1} steps/s, reference {theirsMedian:F1} steps/s, ratio {oursMedian / theirsMedian:F2}x (goal >= 2x, issue 12)");
        }
        else Console.WriteLine($"reference not run: {referenceProblem}");
        Breakdown(trainer, steps);
        Console.WriteLine($"steps_per_s={oursMedian.ToString("F1", CultureInfo.InvariantCulture)}");
        return 0;
    }

    static (double? Rate, string? Problem) RunReference(string python, string script, int steps)
    {
        if (!File.Exists(script)) return (null, $"{script} not found");
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, steps.ToString(), "512", "1" }) start.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            var match = StepsPerSecond().Match(output);
            if (process.ExitCode == 0 && match.Success) return (double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), null);
            return (null, $"{python} {script} failed (install PyTorch: apt-get install python3-torch): {error.Trim().Split('\n').LastOrDefault()}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (null, $"{python} cannot start: {e.Message}");
        }
    }

    /// <summary>Where a step's time goes: the same work as TrainStep, timed part by part.</summary>
    static void Breakdown(Trainer trainer, int steps)
    {
        var format = trainer.Format;
        int batch = trainer.Run.Recipe.BatchSize, answer = format.AnswerLength;
        var inputs = new long[batch * format.FedLength];
        var targets = new long[batch * answer];
        var parts = new double[4];
        for (int i = 0; i < steps; i++)
        {
            using var scope = torch.NewDisposeScope();
            long t0 = Stopwatch.GetTimestamp();
            trainer.Data.FillTrainingBatch(trainer.Step + i, batch, inputs, targets);
            var idx = torch.tensor(inputs, [batch, format.FedLength]);
            var target = torch.tensor(targets, [batch * answer]);
            long t1 = Stopwatch.GetTimestamp();
            var hidden = trainer.Model.Hidden(idx, from: format.FirstScoredPosition);
            var loss = TorchSharp.torch.nn.functional.cross_entropy(trainer.Model.Logits(hidden).view(batch * answer, format.VocabSize), target);
            long t2 = Stopwatch.GetTimestamp();
            trainer.Model.Parameters.ZeroGradients();
            loss.backward();
            long t3 = Stopwatch.GetTimestamp();
            trainer.Optimizer.Step(1e-4);
            long t4 = Stopwatch.GetTimestamp();
            parts[0] += Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
            parts[1] += Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds;
            parts[2] += Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds;
            parts[3] += Stopwatch.GetElapsedTime(t3, t4).TotalMilliseconds;
        }
        Console.WriteLine($"per step: data {parts[0] / steps:F2} ms, forward {parts[1] / steps:F2} ms, backward {parts[2] / steps:F2} ms, optimizer {parts[3] / steps:F2} ms");
    }

    static double Median(List<double> xs)
    {
        var sorted = xs.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ActorSweep.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }

    [GeneratedRegex(@"steps_per_s ([0-9.]+)")]
    private static partial Regex StepsPerSecond();
}
