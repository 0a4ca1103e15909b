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
    /// <summary>A run as a snapshot stores it. Settable, not positional: System.Text.Json reads such a type about twice as fast.</summary>
    sealed class StoredRun
    {
        public string RunId { get; set; } = "";
        public RunStatus Status { get; set; }
        public int Attempt { get; set; }
        public string? NodeId { get; set; }
        public CheckpointInfo? Checkpoint { get; set; }
        public int Failures { get; set; }
        public string? LastError { get; set; }
        public RunReport? Report { get; set; }
        public DateTimeOffset? StartedAt { get; set; }
        public DateTimeOffset? FinishedAt { get; set; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ImmutableList<RungResult>? Rungs { get; set; }
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool AtTarget { get; set; }

        public static StoredRun Of(RunState run) => new()
        {
            RunId = run.Spec.RunId, Status = run.Status, Attempt = run.Attempt, NodeId = run.NodeId, Checkpoint = run.Checkpoint,
            Failures = run.Failures, LastError = run.LastError, Report = run.Report, StartedAt = run.StartedAt, FinishedAt = run.FinishedAt,
            Rungs = run.Rungs, AtTarget = run.AtTarget,
        };
    }

    /// <summary>
    /// Reads field by field, runs one at a time as they stream past: a 100,000-run state is never
    /// held twice (as a document and as records).
    /// </summary>
    public override SweepState Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("a sweep state is not an object");
        var head = new Head();
        SweepDefinition? definition = null;
        List<StoredRun>? stored = null;
        Dictionary<string, RunState>? legacyRuns = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            if (Is(name, "Definition", options)) definition = JsonSerializer.Deserialize<SweepDefinition>(ref reader, options);
            else if (Is(name, "Runs", options) && reader.TokenType == JsonTokenType.StartObject)
                // release 0.1: { "id": { "spec": ..., "status": ... } }
                legacyRuns = JsonSerializer.Deserialize<Dictionary<string, RunState>>(ref reader, options);
            else if (Is(name, "Runs", options)) stored = JsonSerializer.Deserialize<List<StoredRun>>(ref reader, options);
            else head.Read(name, ref reader, options);
        }
        return head.Build(definition, stored, legacyRuns);
    }

    /// <summary>The small fields of a state, and the state they make with its definition and runs.</summary>
    sealed class Head
    {
        string? _sweepId;
        RunQueue _queue = RunQueue.Empty;
        bool _cancelled;
        long _eventCount, _stepsSpent;
        int _reachedTarget;
        RunCounts _counts = RunCounts.None;

        public void Read(string name, ref Utf8JsonReader reader, JsonSerializerOptions options)
        {
            if (Is(name, "SweepId", options)) _sweepId = reader.GetString();
            else if (Is(name, "Queue", options)) _queue = JsonSerializer.Deserialize<RunQueue>(ref reader, options) ?? RunQueue.Empty;
            else if (Is(name, "Cancelled", options)) _cancelled = reader.GetBoolean();
            else if (Is(name, "EventCount", options)) _eventCount = reader.GetInt64();
            else if (Is(name, "Counts", options)) _counts = JsonSerializer.Deserialize<RunCounts>(ref reader, options) ?? RunCounts.None;
            else if (Is(name, "StepsSpent", options)) _stepsSpent = reader.GetInt64();
            else if (Is(name, "ReachedTarget", options)) _reachedTarget = reader.GetInt32();
            else reader.Skip(); // the task: read back from the definition
        }

        public SweepState Build(SweepDefinition? definition, List<StoredRun>? stored, Dictionary<string, RunState>? legacyRuns)
        {
            if (_sweepId is null) throw new JsonException("a sweep state has no sweep id");
            var runs = ImmutableDictionary.CreateBuilder<string, RunState>();
            if (legacyRuns is not null) runs.AddRange(legacyRuns);
            if (stored is not null)
            {
                var specs = definition?.Runs.ToDictionary(r => r.RunId) ?? [];
                foreach (var run in stored) runs[run.RunId] = Restore(run, specs);
            }
            return new SweepState(_sweepId, definition, runs.ToImmutable(), _queue, _cancelled, _eventCount, _counts)
            {
                StepsSpent = _stepsSpent, ReachedTarget = _reachedTarget,
            };
        }
    }

    static RunState Restore(StoredRun run, Dictionary<string, RunSpec> specs) =>
        specs.TryGetValue(run.RunId, out var spec)
            ? new RunState(spec, run.Status, run.Attempt, run.NodeId, run.Checkpoint, run.Failures, run.LastError, run.Report, run.StartedAt, run.FinishedAt,
                           run.Rungs, run.AtTarget)
            : throw new JsonException($"run '{run.RunId}' is not in the sweep's definition");

    static bool Is(string written, string property, JsonSerializerOptions options) =>
        string.Equals(written, Name(property, options), options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

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
            JsonSerializer.Serialize(writer, StoredRun.Of(run), options);
        writer.WriteEndArray();
        writer.WritePropertyName(Name("Queue", options));
        JsonSerializer.Serialize(writer, value.Queue, options);
        writer.WritePropertyName(Name("StepsSpent", options));
        writer.WriteNumberValue(value.StepsSpent);
        writer.WritePropertyName(Name("ReachedTarget", options));
        writer.WriteNumberValue(value.ReachedTarget);
        writer.WriteEndObject();
    }

    static string Name(string property, JsonSerializerOptions options) => options.PropertyNamingPolicy?.ConvertName(property) ?? property;
}
