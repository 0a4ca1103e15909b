using System.Collections.Immutable;
using System.Text.Json;
using ActorSweep.Messages.Runs;
using ActorSweep.Tasks;

namespace ActorSweep.Messages.Sweeps;

/// <summary>
/// A sweep's definition as a snapshot stores it, written and read by hand for the reason
/// <see cref="RunStateJson"/> gives: its runs' specs cost more to read through
/// System.Text.Json's object machinery than everything else in a 100,000-run snapshot. The
/// JSON is System.Text.Json's form of <see cref="SweepDefinition"/> without each spec's
/// derived fields (task, name, seed: read back from its definition) and without a null scheduler,
/// stop or search; a test holds the names below to the records' properties.
/// </summary>
static class SweepDefinitionJson
{
    public sealed class Names(JsonSerializerOptions options)
    {
        public readonly JsonEncodedText[] Sweep = HandJson.Encode(options, "SweepId", "Task", "RetryLimit", "Runs", "Source", "Hash", "LeaseSeconds", "Scheduler", "Stop", "Search");
        public readonly JsonEncodedText[] Spec = HandJson.Encode(options, "RunId", "Definition", "Options");
    }

    public static void Write(Utf8JsonWriter w, SweepDefinition? definition, JsonSerializerOptions options)
    {
        if (definition is null) { w.WriteNullValue(); return; }
        var n = new Names(options);
        w.WriteStartObject();
        w.WriteString(n.Sweep[0], definition.SweepId);
        w.WriteString(n.Sweep[1], definition.Task);
        w.WriteNumber(n.Sweep[2], definition.RetryLimit);
        w.WriteStartArray(n.Sweep[3]);
        foreach (var spec in definition.Runs)
        {
            w.WriteStartObject();
            w.WriteString(n.Spec[0], spec.RunId);
            w.WritePropertyName(n.Spec[1]);
            TaskJson.Write(w, spec.Definition);
            w.WriteStartObject(n.Spec[2]);
            foreach (var (key, value) in spec.Options) w.WriteString(key, value);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString(n.Sweep[4], definition.Source);
        w.WriteString(n.Sweep[5], definition.Hash);
        w.WriteNumber(n.Sweep[6], definition.LeaseSeconds);
        if (definition.Scheduler is not null)
        {
            w.WritePropertyName(n.Sweep[7]);
            JsonSerializer.Serialize(w, definition.Scheduler, options);
        }
        if (definition.Stop is not null)
        {
            w.WritePropertyName(n.Sweep[8]);
            JsonSerializer.Serialize(w, definition.Stop, options);
        }
        if (definition.Search is not null)
        {
            w.WritePropertyName(n.Sweep[9]);
            JsonSerializer.Serialize(w, definition.Search, options);
        }
        w.WriteEndObject();
    }

    public static SweepDefinition? Read(ref Utf8JsonReader r, JsonSerializerOptions options)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        HandJson.Expect(ref r, JsonTokenType.StartObject, "a sweep definition");
        var n = new Names(options);
        string? sweepId = null, task = null, source = null, hash = null;
        int retries = 0, lease = SweepDefinition.DefaultLeaseSeconds;
        ImmutableList<RunSpec>? runs = null;
        SchedulerSpec? scheduler = null;
        StopSpec? stop = null;
        TpeSearch? search = null;
        while (HandJson.NextProperty(ref r))
        {
            int which = HandJson.Find(ref r, n.Sweep);
            r.Read();
            switch (which)
            {
                case 0: sweepId = r.GetString(); break;
                case 1: task = r.GetString(); break;
                case 2: retries = r.GetInt32(); break;
                case 3: runs = ReadSpecs(ref r, n); break;
                case 4: source = r.GetString(); break;
                case 5: hash = r.GetString(); break;
                case 6: lease = r.GetInt32(); break;
                case 7: scheduler = JsonSerializer.Deserialize<SchedulerSpec>(ref r, options); break;
                case 8: stop = JsonSerializer.Deserialize<StopSpec>(ref r, options); break;
                case 9: search = JsonSerializer.Deserialize<TpeSearch>(ref r, options); break;
                default: r.Skip(); break;
            }
        }
        return new SweepDefinition(sweepId ?? throw new JsonException("a sweep definition has no sweep id"), task ?? throw new JsonException("a sweep definition has no task"),
                                   retries, runs ?? [], source ?? "", hash ?? throw new JsonException("a sweep definition has no hash"), lease, scheduler, stop, search);
    }

    static ImmutableList<RunSpec> ReadSpecs(ref Utf8JsonReader r, Names n)
    {
        HandJson.Expect(ref r, JsonTokenType.StartArray, "a sweep definition's runs");
        var specs = ImmutableList.CreateBuilder<RunSpec>();
        var options = new List<KeyValuePair<string, string>>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            HandJson.Expect(ref r, JsonTokenType.StartObject, "a run spec");
            string? id = null;
            RunDefinition? definition = null;
            ImmutableSortedDictionary<string, string>? values = null;
            while (HandJson.NextProperty(ref r))
            {
                int which = HandJson.Find(ref r, n.Spec);
                r.Read();
                switch (which)
                {
                    case 0: id = r.GetString(); break;
                    case 1: definition = TaskJson.Read(ref r); break;
                    case 2:
                        HandJson.Expect(ref r, JsonTokenType.StartObject, "a run's options");
                        options.Clear();
                        while (HandJson.NextProperty(ref r))
                        {
                            string key = r.GetString()!;
                            r.Read();
                            options.Add(new(key, r.GetString() ?? throw new JsonException($"option '{key}' is null")));
                        }
                        values = ImmutableSortedDictionary.CreateRange(options);
                        break;
                    default: r.Skip(); break; // task, name, seed: derived from the definition
                }
            }
            specs.Add(new RunSpec(id ?? throw new JsonException("a run spec has no run id"), definition ?? throw new JsonException($"run '{id}' has no definition"),
                                  values ?? ImmutableSortedDictionary<string, string>.Empty));
        }
        return specs.ToImmutable();
    }
}
