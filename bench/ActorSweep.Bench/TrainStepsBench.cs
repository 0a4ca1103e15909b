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
            Console.WriteLine($"median: actorsweep {oursMedian:F1} steps/s, reference {theirsMedian:F1} steps/s, ratio {oursMedian / theirsMedian:F2}x (goal >= 1.5x)");
        }
        else Console.WriteLine($"reference not run: {referenceProblem}");
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
