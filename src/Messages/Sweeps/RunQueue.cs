using System.Collections;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorSweep.Messages.Sweeps;

/// <summary>
/// The queue of a sweep's runs waiting for a node, immutable, with every change in O(log n):
/// runs join at the back, a requeued run goes to the front (it has progress to keep), and an
/// assigned run leaves from anywhere. Positions order it; ids find a run's position. Written as
/// the plain list of run ids, front first.
/// </summary>
[JsonConverter(typeof(RunQueueJsonConverter))]
public sealed class RunQueue : IReadOnlyCollection<string>
{
    readonly ImmutableSortedDictionary<long, string> _byPosition;
    readonly ImmutableDictionary<string, long> _positions;

    RunQueue(ImmutableSortedDictionary<long, string> byPosition, ImmutableDictionary<string, long> positions)
    {
        _byPosition = byPosition;
        _positions = positions;
    }

    public static RunQueue Empty { get; } = new(ImmutableSortedDictionary<long, string>.Empty, ImmutableDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal));

    public static RunQueue Of(IEnumerable<string> runIds) => Empty.Enqueue(runIds);

    public int Count => _positions.Count;

    public bool Contains(string runId) => _positions.ContainsKey(runId);

    /// <summary>Adds runs at the back, in order (a run already queued keeps its place).</summary>
    public RunQueue Enqueue(IEnumerable<string> runIds)
    {
        var byPosition = _byPosition.ToBuilder();
        var positions = _positions.ToBuilder();
        long next = byPosition.Count == 0 ? 0 : byPosition.Keys.Last() + 1;
        foreach (var id in runIds)
        {
            if (positions.ContainsKey(id)) continue;
            positions[id] = next;
            byPosition[next++] = id;
        }
        return new(byPosition.ToImmutable(), positions.ToImmutable());
    }

    /// <summary>Puts a run first (moving it there if it is queued already).</summary>
    public RunQueue PushFront(string runId)
    {
        var without = Remove(runId);
        long first = without._byPosition.Count == 0 ? 0 : without._byPosition.Keys.First() - 1;
        return new(without._byPosition.Add(first, runId), without._positions.Add(runId, first));
    }

    public RunQueue Remove(string runId) =>
        _positions.TryGetValue(runId, out long position)
            ? new(_byPosition.Remove(position), _positions.Remove(runId))
            : this;

    public IEnumerator<string> GetEnumerator() => _byPosition.Values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    sealed class RunQueueJsonConverter : JsonConverter<RunQueue>
    {
        public override RunQueue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Of(JsonSerializer.Deserialize<List<string>>(ref reader, options) ?? []);

        public override void Write(Utf8JsonWriter writer, RunQueue value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var id in value) writer.WriteStringValue(id);
            writer.WriteEndArray();
        }
    }
}
