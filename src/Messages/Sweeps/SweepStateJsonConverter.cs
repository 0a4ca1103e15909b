using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using ActorSweep.Messages.Results;
using ActorSweep.Messages.Runs;

namespace ActorSweep.Messages.Sweeps;

/// <summary>
/// A sweep's state as snapshots and replies store it: each run's spec is written once, in the
/// definition, and runs carry only their id and progress, so a 100,000-run snapshot is not twice
/// its definition. Reads the shape of release 0.1 too (runs as an object of id to state, spec
/// included).
/// </summary>
public sealed class SweepStateJsonConverter : JsonConverter<SweepState>
{
    sealed record Stored(string SweepId, SweepDefinition? Definition, JsonElement Runs, RunQueue Queue, bool Cancelled, long EventCount, RunCounts Counts);

    sealed record StoredRun(string RunId, RunStatus Status, int Attempt, string? NodeId, CheckpointInfo? Checkpoint, int Failures,
                            string? LastError, RunReport? Report, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

    public override SweepState Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var stored = JsonSerializer.Deserialize<Stored>(ref reader, options) ?? throw new JsonException("a sweep state is null");
        ImmutableDictionary<string, RunState> runs;
        if (stored.Runs.ValueKind == JsonValueKind.Object) // release 0.1: { "id": { "spec": ..., "status": ... } }
            runs = (stored.Runs.Deserialize<Dictionary<string, RunState>>(options) ?? []).ToImmutableDictionary();
        else
        {
            var specs = stored.Definition?.Runs.ToDictionary(r => r.RunId) ?? [];
            var builder = ImmutableDictionary.CreateBuilder<string, RunState>();
            foreach (var run in stored.Runs.ValueKind == JsonValueKind.Array ? stored.Runs.Deserialize<List<StoredRun>>(options) ?? [] : [])
            {
                if (!specs.TryGetValue(run.RunId, out var spec)) throw new JsonException($"run '{run.RunId}' is not in the sweep's definition");
                builder[run.RunId] = new RunState(spec, run.Status, run.Attempt, run.NodeId, run.Checkpoint, run.Failures, run.LastError,
                    run.Report, run.StartedAt, run.FinishedAt);
            }
            runs = builder.ToImmutable();
        }
        return new SweepState(stored.SweepId, stored.Definition, runs, stored.Queue ?? RunQueue.Empty, stored.Cancelled, stored.EventCount, stored.Counts);
    }

    /// <summary>
    /// The small fields come first (id, task, cancelled, event count, counts), so `status` reads a
    /// snapshot's first kilobyte for a sweep's counts instead of all of it.
    /// </summary>
    public override void Write(Utf8JsonWriter writer, SweepState value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WritePropertyName(Name("SweepId", options));
        writer.WriteStringValue(value.SweepId);
        writer.WritePropertyName(Name("Task", options));
        writer.WriteStringValue(value.Definition?.Task);
        writer.WritePropertyName(Name("Cancelled", options));
        writer.WriteBooleanValue(value.Cancelled);
        writer.WritePropertyName(Name("EventCount", options));
        writer.WriteNumberValue(value.EventCount);
        writer.WritePropertyName(Name("Counts", options));
        JsonSerializer.Serialize(writer, value.Counts, options);
        writer.WritePropertyName(Name("Definition", options));
        JsonSerializer.Serialize(writer, value.Definition, options);
        writer.WritePropertyName(Name("Runs", options));
        writer.WriteStartArray();
        foreach (var run in value.Definition is null ? value.Runs.Values : value.OrderedRuns)
            JsonSerializer.Serialize(writer, new StoredRun(run.Spec.RunId, run.Status, run.Attempt, run.NodeId, run.Checkpoint, run.Failures,
                run.LastError, run.Report, run.StartedAt, run.FinishedAt), options);
        writer.WriteEndArray();
        writer.WritePropertyName(Name("Queue", options));
        JsonSerializer.Serialize(writer, value.Queue, options);
        writer.WriteEndObject();
    }

    static string Name(string property, JsonSerializerOptions options) => options.PropertyNamingPolicy?.ConvertName(property) ?? property;
}
