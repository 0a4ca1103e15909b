using ActorSweep.Bench;

// Benchmarks print figures; goals live here, never in timed unit tests.
//   train-steps [--rounds N] [--steps N]   training steps/s of pico-7d-ff14-lr02, batch 512, one thread,
//                                          side by side with the PyTorch eager reference when it is installed.
//   noop-completions [--runs N] [--slots a,b] [--cluster on]   no-op runs per second through the persistent supervisor on SQLite
//                                          (--cluster on: a seed and a worker process, plain TCP then mutual TLS).
//   quickstart-overhead [--slots N] [--sweep FILE]   the runner's share of the quickstart's time.
//   failover [--rounds N] [--tls on]                SIGKILL of a worker to its run's next step on another worker (real processes).
//   state-scale [--sizes 1000,10000,100000] [--postgres CONN]   status, results, replay and recovery against sweep size.
//   journal-read --db FILE --sweep NAME [--snapshot-only 1]   where reading one sweep's journal spends its time.
//   asha-vs-grid [--slots N]               24 addition configurations trained in full and under ASHA: steps, time to best, best exact match.
string command = args.Length > 0 ? args[0] : "train-steps";
var options = BenchOptions.Parse(args.Skip(1).ToArray());
return command switch
{
    "train-steps" => TrainStepsBench.Run(options),
    "noop-completions" => await SweepBench.NoopCompletions(options),
    "quickstart-overhead" => await SweepBench.QuickstartOverhead(options),
    "failover" => await FailoverBench.Run(options),
    "state-scale" => await StateScaleBench.Run(options),
    "journal-read" => JournalReadBench.Run(options),
    "asha-vs-grid" => await AshaVsGridBench.Run(options),
    "drain" => await DrainBench.Run(options),
    "tpe-vs-random" => await TpeBench.Run(options),
    "tpe-overhead" => await TpeBench.Overhead(options),
    "pbt-vs-random" => await PbtBench.Run(options),
    _ => Fail($"unknown benchmark '{command}'; known: train-steps, noop-completions, quickstart-overhead, failover, state-scale, journal-read, asha-vs-grid, drain, tpe-vs-random, tpe-overhead, pbt-vs-random"),
};

static int Fail(string message)
{
    Console.Error.WriteLine($"error: {message}");
    return 2;
}
