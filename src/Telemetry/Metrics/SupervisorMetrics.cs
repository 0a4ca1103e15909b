using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ActorSweep.Telemetry.Metrics;

/// <summary>
/// The sweep supervisor's instruments (meter "ActorSweep.Supervisor"): runs by state per sweep,
/// assignments, requeues by reason, failures, completions, and how long journal writes take.
/// Labels: sweep (and state or reason, from small fixed sets).
/// </summary>
public static class SupervisorMetrics
{
    public const string MeterName = "ActorSweep.Supervisor";
    static readonly Meter Meter = new(MeterName);
    static readonly ConcurrentDictionary<string, RunStates> States = new();

    /// <summary>How many of a sweep's runs are in each state.</summary>
    public sealed record RunStates(int Queued, int Running, int Completed, int Failed, int Cancelled, int Paused = 0, int Pruned = 0);

    public static readonly Counter<long> Assignments =
        Meter.CreateCounter<long>("actorsweep.sweep.assignments", "{attempt}", "Runs handed to a node (each attempt counts).");
    public static readonly Counter<long> Requeues =
        Meter.CreateCounter<long>("actorsweep.sweep.requeues", "{attempt}", "Runs put back in the queue, by reason: failed, node_lost, released, lease_expired.");
    public static readonly Counter<long> Failures =
        Meter.CreateCounter<long>("actorsweep.sweep.failures", "{attempt}", "Attempts that failed; final=true when the retry limit was spent.");
    public static readonly Counter<long> Completions =
        Meter.CreateCounter<long>("actorsweep.sweep.completions", "{run}", "Runs completed.");
    public static readonly Counter<long> Promotions =
        Meter.CreateCounter<long>("actorsweep.sweep.promotions", "{run}", "Paused or pruned runs sent on to their next rung, by=scheduler or by=hand.");
    public static readonly Counter<long> Prunings =
        Meter.CreateCounter<long>("actorsweep.sweep.prunings", "{run}", "Runs a scheduler stopped for good.");
    public static readonly Counter<long> Pauses =
        Meter.CreateCounter<long>("actorsweep.sweep.pauses", "{run}", "Runs paused at a scheduler's rung.");
    public static readonly Histogram<double> JournalWriteDuration =
        Meter.CreateHistogram<double>("actorsweep.journal.write.duration", "s", "Time from handing events to the journal to their write being confirmed.");

    static readonly ObservableGauge<int> RunsByState = Meter.CreateObservableGauge("actorsweep.sweep.runs", ObserveStates, "{run}",
        "Runs of each sweep by state: queued, running, completed, failed, cancelled, paused, pruned.");

    /// <summary>The latest counts of a sweep; the gauge reports them at each scrape.</summary>
    public static void PublishStates(string sweep, RunStates states) => States[sweep] = states;

    /// <summary>A finished sweep's series go (some minutes after it finished): the sweep label stays bounded by the sweeps in progress.</summary>
    public static void ForgetStates(string sweep) => States.TryRemove(sweep, out _);

    public static KeyValuePair<string, object?> Sweep(string sweep) => new("sweep", sweep);

    static IEnumerable<Measurement<int>> ObserveStates()
    {
        foreach (var (sweep, s) in States)
        {
            var tag = Sweep(sweep);
            yield return new(s.Queued, tag, new("state", "queued"));
            yield return new(s.Running, tag, new("state", "running"));
            yield return new(s.Completed, tag, new("state", "completed"));
            yield return new(s.Failed, tag, new("state", "failed"));
            yield return new(s.Paused, tag, new("state", "paused"));
            yield return new(s.Pruned, tag, new("state", "pruned"));
            yield return new(s.Cancelled, tag, new("state", "cancelled"));
        }
    }
}
