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
    /// <summary>
    /// Reads field by field, runs one at a time as they stream past: a 100,000-run state is never
    /// held twice (as a document and as records).
    /// </summary>
    public override SweepState Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("a sweep state is not an object");
        var head = new Head();
        var names = new RunStateJson.Names(options);
        SweepDefinition? definition = null;
        ImmutableDictionary<string, RunState>.Builder? runs = null;
        Dictionary<string, RunState>? legacyRuns = null;
        // Runs are read against the definition's specs; written before it (by hand), they are read after it.
        Utf8JsonReader runsAhead = default;
        bool runsFirst = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            if (Is(name, "Definition", options))
                // Specs of release 0.1 (option text, no typed definition) are read by their own converter.
                definition = options.Converters.Any(c => c is Serialization.LegacyRunSpecConverter)
                    ? JsonSerializer.Deserialize<SweepDefinition>(ref reader, options)
                    : SweepDefinitionJson.Read(ref reader, options);
            else if (Is(name, "Runs", options) && reader.TokenType == JsonTokenType.StartObject)
                // release 0.1: { "id": { "spec": ..., "status": ... } }
                legacyRuns = JsonSerializer.Deserialize<Dictionary<string, RunState>>(ref reader, options);
            else if (Is(name, "Runs", options) && definition is null)
            {
                runsAhead = reader;
                runsFirst = true;
                reader.Skip();
            }
            else if (Is(name, "Runs", options)) runs = ReadRuns(ref reader, definition, names);
            else head.Read(name, ref reader, options);
        }
        if (runsFirst) runs = ReadRuns(ref runsAhead, definition, names);
        return head.Build(definition, runs, legacyRuns);
    }

    static ImmutableDictionary<string, RunState>.Builder? ReadRuns(ref Utf8JsonReader reader, SweepDefinition? definition, RunStateJson.Names names)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("a sweep state's runs are not a list");
        var specs = definition?.Runs.ToDictionary(r => r.RunId) ?? [];
        var runs = ImmutableDictionary.CreateBuilder<string, RunState>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var run = RunStateJson.Read(ref reader, specs, names);
            runs[run.Spec.RunId] = run;
        }
        return runs;
    }

    /// <summary>The small fields of a state, and the state they make with its definition and runs.</summary>
    sealed class Head
    {
        string? _sweepId;
        RunQueue _queue = RunQueue.Empty;
        bool _cancelled;
        long _eventCount, _stepsSpent;
        int _reachedTarget;
        DateTimeOffset? _submittedAt, _lastFinishedAt;
        RunCounts _counts = RunCounts.None;
        List<RunSuggested> _suggestions = [];
        List<RunExploited> _exploits = [];

        public void Read(string name, ref Utf8JsonReader reader, JsonSerializerOptions options)
        {
            if (Is(name, "SweepId", options)) _sweepId = reader.GetString();
            else if (Is(name, "Queue", options)) _queue = JsonSerializer.Deserialize<RunQueue>(ref reader, options) ?? RunQueue.Empty;
            else if (Is(name, "Cancelled", options)) _cancelled = reader.GetBoolean();
            else if (Is(name, "EventCount", options)) _eventCount = reader.GetInt64();
            else if (Is(name, "Counts", options)) _counts = JsonSerializer.Deserialize<RunCounts>(ref reader, options) ?? RunCounts.None;
            else if (Is(name, "StepsSpent", options)) _stepsSpent = reader.GetInt64();
            else if (Is(name, "ReachedTarget", options)) _reachedTarget = reader.GetInt32();
            else if (Is(name, "SubmittedAt", options)) _submittedAt = reader.GetDateTimeOffset();
            else if (Is(name, "LastFinishedAt", options)) _lastFinishedAt = reader.GetDateTimeOffset();
            else if (Is(name, "Suggestions", options)) _suggestions = JsonSerializer.Deserialize<List<RunSuggested>>(ref reader, options) ?? [];
            else if (Is(name, "Exploits", options)) _exploits = JsonSerializer.Deserialize<List<RunExploited>>(ref reader, options) ?? [];
            else reader.Skip(); // the task: read back from the definition
        }

        public SweepState Build(SweepDefinition? definition, ImmutableDictionary<string, RunState>.Builder? stored, Dictionary<string, RunState>? legacyRuns)
        {
            if (_sweepId is null) throw new JsonException("a sweep state has no sweep id");
            var runs = stored ?? ImmutableDictionary.CreateBuilder<string, RunState>();
            if (legacyRuns is not null) runs.AddRange(legacyRuns);
            // A suggested trial's spec is the searcher's, not the definition's random draw.
            foreach (var s in _suggestions)
                if (runs.TryGetValue(s.RunId, out var run)) runs[s.RunId] = run with { Spec = s.Spec };
            // An exploited run trains its latest exploit's spec (its checkpoint is a run field, stored with it).
            foreach (var x in _exploits)
                if (runs.TryGetValue(x.RunId, out var run)) runs[x.RunId] = run with { Spec = x.Spec };
            return new SweepState(_sweepId, definition, runs.ToImmutable(), _queue, _cancelled, _eventCount, _counts)
            {
                StepsSpent = _stepsSpent, ReachedTarget = _reachedTarget, SubmittedAt = _submittedAt, LastFinishedAt = _lastFinishedAt,
                Suggestions = _suggestions.ToImmutableDictionary(s => s.RunId),
                Exploits = [.. _exploits],
            };
        }
    }

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
        SweepDefinitionJson.Write(writer, value.Definition, options);
        writer.WritePropertyName(Name("Runs", options));
        writer.WriteStartArray();
        var names = new RunStateJson.Names(options);
        foreach (var run in value.Definition is null ? value.Runs.Values : value.OrderedRuns) RunStateJson.Write(writer, run, names);
        writer.WriteEndArray();
        writer.WritePropertyName(Name("Queue", options));
        JsonSerializer.Serialize(writer, value.Queue, options);
        writer.WritePropertyName(Name("StepsSpent", options));
        writer.WriteNumberValue(value.StepsSpent);
        writer.WritePropertyName(Name("ReachedTarget", options));
        writer.WriteNumberValue(value.ReachedTarget);
        if (value.SubmittedAt is { } submitted)
        {
            writer.WritePropertyName(Name("SubmittedAt", options));
            writer.WriteStringValue(submitted);
        }
        if (value.LastFinishedAt is { } lastFinished)
        {
            writer.WritePropertyName(Name("LastFinishedAt", options));
            writer.WriteStringValue(lastFinished);
        }
        if (value.Suggestions.Count > 0)
        {
            writer.WritePropertyName(Name("Suggestions", options));
            JsonSerializer.Serialize(writer, value.Suggestions.Values.OrderBy(s => s.RunId, StringComparer.Ordinal), options);
        }
        if (value.Exploits.Count > 0)
        {
            writer.WritePropertyName(Name("Exploits", options));
            JsonSerializer.Serialize(writer, value.Exploits, options);
        }
        writer.WriteEndObject();
    }

    static string Name(string property, JsonSerializerOptions options) => options.PropertyNamingPolicy?.ConvertName(property) ?? property;
}
