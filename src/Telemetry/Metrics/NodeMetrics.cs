using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ActorSweep.Telemetry.Metrics;

/// <summary>
/// A worker node's instruments (meter "ActorSweep.Node"): busy and free slots, training steps
/// (their rate is steps/s), step and checkpoint durations in seconds. Label: node.
/// </summary>
public static class NodeMetrics
{
    public const string MeterName = "ActorSweep.Node";
    static readonly Meter Meter = new(MeterName);
    static readonly ConcurrentDictionary<string, (int Slots, int Busy)> Slots = new();

    public static readonly Counter<long> Steps =
        Meter.CreateCounter<long>("actorsweep.train.steps", "{step}", "Training steps done; rate() gives steps per second.");
    public static readonly Histogram<double> StepDuration =
        Meter.CreateHistogram<double>("actorsweep.train.step.duration", "s", "Duration of one training step (with the evaluation the schedule puts after it).");
    public static readonly Histogram<double> CheckpointDuration =
        Meter.CreateHistogram<double>("actorsweep.checkpoint.duration", "s", "Time to serialise and store one checkpoint.");

    static readonly ObservableGauge<int> SlotGauge = Meter.CreateObservableGauge("actorsweep.node.slots", ObserveSlots, "{slot}",
        "A node's training slots by state: busy or free.");

    public static void PublishSlots(string node, int slots, int busy) => Slots[node] = (slots, busy);

    public static void Forget(string node) => Slots.TryRemove(node, out _);

    public static KeyValuePair<string, object?> Node(string node) => new("node", node);

    static IEnumerable<Measurement<int>> ObserveSlots()
    {
        foreach (var (node, (slots, busy)) in Slots)
        {
            yield return new(busy, Node(node), new("state", "busy"));
            yield return new(slots - busy, Node(node), new("state", "free"));
        }
    }
}
