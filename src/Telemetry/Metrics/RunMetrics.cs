using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ActorSweep.Telemetry.Metrics;

/// <summary>
/// Per active run (meter "ActorSweep.Run"): its step, training loss and validation exact match,
/// reported by the node that trains it. A run's series exist only while it is active there, so
/// the run label stays bounded by the slots in the cluster, not the size of the sweep.
/// </summary>
public static class RunMetrics
{
    public const string MeterName = "ActorSweep.Run";
    static readonly Meter Meter = new(MeterName);
    static readonly ConcurrentDictionary<(string Sweep, string Run), Snapshot> Active = new();

    sealed record Snapshot(string Node, int Attempt, long Step, double? Loss, double? Validation);

    static readonly ObservableGauge<double> Loss = Meter.CreateObservableGauge("actorsweep.run.loss",
        () => Observe(s => s.Loss), description: "Training loss of each active run (latest logged).");
    static readonly ObservableGauge<double> Validation = Meter.CreateObservableGauge("actorsweep.run.validation.exact_match",
        () => Observe(s => s.Validation), unit: "1", description: "Validation exact match of each active run (latest evaluation).");
    static readonly ObservableGauge<double> Step = Meter.CreateObservableGauge("actorsweep.run.step",
        () => Observe(s => s.Step), unit: "{step}", description: "Steps each active run has done.");

    /// <summary>The run's latest progress; its attempt is a label, so a requeued run's curve is told from the one before.</summary>
    public static void Publish(string sweep, string run, int attempt, string node, long step, double? loss, double? validation) =>
        Active[(sweep, run)] = new Snapshot(node, attempt, step, loss, validation);

    /// <summary>The run is no longer active on this node: its series go.</summary>
    public static void Forget(string sweep, string run) => Active.TryRemove((sweep, run), out _);

    static IEnumerable<Measurement<double>> Observe(Func<Snapshot, double?> value)
    {
        foreach (var ((sweep, run), snapshot) in Active)
            if (value(snapshot) is { } v && double.IsFinite(v))
                yield return new(v, new("sweep", sweep), new("run", run), new("attempt", snapshot.Attempt), new("node", snapshot.Node));
    }
}
