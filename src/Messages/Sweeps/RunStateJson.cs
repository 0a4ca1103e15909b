using System.Collections.Immutable;
using System.Text.Json;
using ActorSweep.Messages.Results;
using ActorSweep.Messages.Runs;

namespace ActorSweep.Messages.Sweeps;

/// <summary>
/// A run's progress as a snapshot stores it, written and read by hand: a 100,000-run snapshot
/// spent most of its recovery in System.Text.Json's per-object machinery (read stacks,
/// constructor-argument caches), which a direct reader does not need. The JSON is
/// System.Text.Json's form of these records less what is null, empty or default, so snapshots
/// written by either read here. A test holds the property names below to the records'
/// properties, so a field added to a record and not here fails it.
/// </summary>
static class RunStateJson
{
    /// <summary>The property names under one naming policy, encoded once per snapshot.</summary>
    public sealed class Names(JsonSerializerOptions options)
    {
        public readonly JsonEncodedText[] Run = HandJson.Encode(options, "RunId", "Status", "Attempt", "NodeId", "Checkpoint", "Failures", "LastError", "Report",
            "StartedAt", "FinishedAt", "Rungs", "AtTarget", "History");
        public readonly JsonEncodedText[] Checkpoint = HandJson.Encode(options, "Step", "Reference", "Summary");
        public readonly JsonEncodedText[] Summary = HandJson.Encode(options, "Loss", "ValidationExactMatch", "ValidationLoss");
        public readonly JsonEncodedText[] Report = HandJson.Encode(options, "Model", "Params", "Steps", "Seed", "FinalLoss", "ExactMatch", "PerDigitAccuracy", "Failures",
            "TestPairs", "ValidationExactMatch", "BestValidationExactMatch", "BestValidationStep", "TrainSeconds", "LossCurve", "ValidationCurve");
        public readonly JsonEncodedText[] Failure = HandJson.Encode(options, "A", "B", "Expected", "Predicted", "Decoded");
        public readonly JsonEncodedText[] Point = HandJson.Encode(options, "Step", "Value");
        public readonly JsonEncodedText[] Rung = HandJson.Encode(options, "Rung", "Step", "Value");
        public readonly JsonEncodedText[] History = HandJson.Encode(options, "Step", "Loss", "ValidationExactMatch", "ValidationLoss");
    }

    // Property indexes into Names.Run.
    const int RunIdAt = 0, StatusAt = 1, AttemptAt = 2, NodeAt = 3, CheckpointAt = 4, FailuresAt = 5, ErrorAt = 6, ReportAt = 7, StartedAt = 8, FinishedAt = 9, RungsAt = 10, AtTargetAt = 11, HistoryAt = 12;

    /// <summary>A run, leaving out what is null or default (most of a finished noop run): the reader restores it.</summary>
    public static void Write(Utf8JsonWriter w, RunState run, Names n)
    {
        var p = n.Run;
        w.WriteStartObject();
        w.WriteString(p[RunIdAt], run.Spec.RunId);
        w.WriteString(p[StatusAt], run.Status.ToString());
        if (run.Attempt != 0) w.WriteNumber(p[AttemptAt], run.Attempt);
        if (run.NodeId is not null) w.WriteString(p[NodeAt], run.NodeId);
        if (run.Checkpoint is not null)
        {
            w.WritePropertyName(p[CheckpointAt]);
            WriteCheckpoint(w, run.Checkpoint, n);
        }
        if (run.Failures != 0) w.WriteNumber(p[FailuresAt], run.Failures);
        if (run.LastError is not null) w.WriteString(p[ErrorAt], run.LastError);
        if (run.Report is not null)
        {
            w.WritePropertyName(p[ReportAt]);
            WriteReport(w, run.Report, n);
        }
        if (run.StartedAt is { } started) w.WriteString(p[StartedAt], started);
        if (run.FinishedAt is { } finished) w.WriteString(p[FinishedAt], finished);
        if (run.Rungs is { } rungs)
        {
            w.WriteStartArray(p[RungsAt]);
            foreach (var r in rungs)
            {
                w.WriteStartObject();
                w.WriteNumber(n.Rung[0], r.Rung);
                w.WriteNumber(n.Rung[1], r.Step);
                HandJson.WriteDouble(w, n.Rung[2], r.Value);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (run.AtTarget) w.WriteBoolean(p[AtTargetAt], true);
        if (run.History is { } history)
        {
            w.WriteStartArray(p[HistoryAt]);
            foreach (var h in history)
            {
                w.WriteStartObject();
                w.WriteNumber(n.History[0], h.Step);
                if (h.Loss is not null) HandJson.WriteDouble(w, n.History[1], h.Loss);
                if (h.ValidationExactMatch is not null) HandJson.WriteDouble(w, n.History[2], h.ValidationExactMatch);
                if (h.ValidationLoss is not null) HandJson.WriteDouble(w, n.History[3], h.ValidationLoss);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>
    /// One stored run. Its spec comes from <paramref name="specs"/> (the definition, read
    /// before the runs); a run the definition lacks is malformed.
    /// </summary>
    public static RunState Read(ref Utf8JsonReader r, IReadOnlyDictionary<string, RunSpec> specs, Names n)
    {
        HandJson.Expect(ref r, JsonTokenType.StartObject, "a run");
        string? id = null;
        RunStatus status = RunStatus.Queued;
        int attempt = 0, failures = 0;
        string? node = null, error = null;
        CheckpointInfo? checkpoint = null;
        RunReport? report = null;
        DateTimeOffset? started = null, finished = null;
        ImmutableList<RungResult>? rungs = null;
        bool atTarget = false;
        ImmutableList<HistoryPoint>? history = null;
        while (HandJson.NextProperty(ref r))
        {
            int which = HandJson.Find(ref r, n.Run);
            r.Read();
            switch (which)
            {
                case RunIdAt: id = r.GetString(); break;
                case StatusAt: status = ReadStatus(ref r); break;
                case AttemptAt: attempt = r.GetInt32(); break;
                case NodeAt: node = r.GetString(); break;
                case CheckpointAt: checkpoint = ReadCheckpoint(ref r, n); break;
                case FailuresAt: failures = r.GetInt32(); break;
                case ErrorAt: error = r.GetString(); break;
                case ReportAt: report = ReadReport(ref r, n); break;
                case StartedAt: started = ReadTime(ref r); break;
                case FinishedAt: finished = ReadTime(ref r); break;
                case RungsAt: rungs = ReadRungs(ref r, n); break;
                case AtTargetAt: atTarget = r.GetBoolean(); break;
                case HistoryAt: history = ReadHistory(ref r, n); break;
                default: r.Skip(); break;
            }
        }
        if (id is null) throw new JsonException("a stored run has no run id");
        if (!specs.TryGetValue(id, out var spec)) throw new JsonException($"run '{id}' is not in the sweep's definition");
        return new RunState(spec, status, attempt, node, checkpoint, failures, error, report, started, finished, rungs, atTarget, history);
    }

    static void WriteCheckpoint(Utf8JsonWriter w, CheckpointInfo? c, Names n)
    {
        if (c is null) { w.WriteNullValue(); return; }
        w.WriteStartObject();
        w.WriteNumber(n.Checkpoint[0], c.Step);
        w.WriteString(n.Checkpoint[1], c.Reference);
        w.WriteStartObject(n.Checkpoint[2]);
        if (c.Summary.Loss is not null) HandJson.WriteDouble(w, n.Summary[0], c.Summary.Loss);
        if (c.Summary.ValidationExactMatch is not null) HandJson.WriteDouble(w, n.Summary[1], c.Summary.ValidationExactMatch);
        if (c.Summary.ValidationLoss is not null) HandJson.WriteDouble(w, n.Summary[2], c.Summary.ValidationLoss);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    static CheckpointInfo? ReadCheckpoint(ref Utf8JsonReader r, Names n)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        HandJson.Expect(ref r, JsonTokenType.StartObject, "a checkpoint");
        long step = 0;
        string? reference = null;
        RunSummary? summary = null;
        while (HandJson.NextProperty(ref r))
        {
            int which = HandJson.Find(ref r, n.Checkpoint);
            r.Read();
            switch (which)
            {
                case 0: step = r.GetInt64(); break;
                case 1: reference = r.GetString(); break;
                case 2: summary = ReadSummary(ref r, n); break;
                default: r.Skip(); break;
            }
        }
        return new CheckpointInfo(step, reference ?? throw new JsonException("a checkpoint has no reference"), summary ?? new RunSummary(null, null));
    }

    static RunSummary? ReadSummary(ref Utf8JsonReader r, Names n)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        HandJson.Expect(ref r, JsonTokenType.StartObject, "a checkpoint's summary");
        double? loss = null, validation = null, validationLoss = null;
        while (HandJson.NextProperty(ref r))
        {
            int which = HandJson.Find(ref r, n.Summary);
            r.Read();
            switch (which)
            {
                case 0: loss = HandJson.ReadDouble(ref r); break;
                case 1: validation = HandJson.ReadDouble(ref r); break;
                case 2: validationLoss = HandJson.ReadDouble(ref r); break;
                default: r.Skip(); break;
            }
        }
        return new RunSummary(loss, validation, validationLoss);
    }

    /// <summary>A report, leaving out empty lists and null values (the reader restores them).</summary>
    public static void WriteReport(Utf8JsonWriter w, RunReport? report, Names n)
    {
        if (report is null) { w.WriteNullValue(); return; }
        var p = n.Report;
        w.WriteStartObject();
        w.WriteString(p[0], report.Model);
        w.WriteNumber(p[1], report.Params);
        w.WriteNumber(p[2], report.Steps);
        w.WriteNumber(p[3], report.Seed);
        HandJson.WriteDouble(w, p[4], report.FinalLoss);
        HandJson.WriteDouble(w, p[5], report.ExactMatch);
        if (report.PerDigitAccuracy is { Length: > 0 })
        {
            w.WriteStartArray(p[6]);
            foreach (double d in report.PerDigitAccuracy) HandJson.WriteDouble(w, d);
            w.WriteEndArray();
        }
        if (report.Failures is { Count: > 0 })
        {
            w.WriteStartArray(p[7]);
            foreach (var f in report.Failures)
            {
                w.WriteStartObject();
                w.WriteNumber(n.Failure[0], f.A);
                w.WriteNumber(n.Failure[1], f.B);
                w.WriteNumber(n.Failure[2], f.Expected);
                if (f.Predicted is { } predicted) w.WriteNumber(n.Failure[3], predicted);
                w.WriteString(n.Failure[4], f.Decoded);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteNumber(p[8], report.TestPairs);
        HandJson.WriteDouble(w, p[9], report.ValidationExactMatch);
        if (report.BestValidationExactMatch is not null) HandJson.WriteDouble(w, p[10], report.BestValidationExactMatch);
        if (report.BestValidationStep is { } best) w.WriteNumber(p[11], best);
        HandJson.WriteDouble(w, p[12], report.TrainSeconds);
        WriteCurve(w, p[13], report.LossCurve, n);
        WriteCurve(w, p[14], report.ValidationCurve, n);
        w.WriteEndObject();
    }

    public static RunReport? ReadReport(ref Utf8JsonReader r, Names n)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        HandJson.Expect(ref r, JsonTokenType.StartObject, "a run report");
        string? model = null;
        long parameters = 0, steps = 0, seed = 0;
        long? bestStep = null;
        double finalLoss = 0, exactMatch = 0, validation = 0, trainSeconds = 0;
        double? bestValidation = null;
        double[]? perDigit = null;
        List<FailureReport>? failures = null;
        int testPairs = 0;
        List<CurvePoint>? loss = null, validationCurve = null;
        while (HandJson.NextProperty(ref r))
        {
            int which = HandJson.Find(ref r, n.Report);
            r.Read();
            switch (which)
            {
                case 0: model = r.GetString(); break;
                case 1: parameters = r.GetInt64(); break;
                case 2: steps = r.GetInt64(); break;
                case 3: seed = r.GetInt64(); break;
                case 4: finalLoss = HandJson.ReadDouble(ref r) ?? throw new JsonException("a report's final loss is null"); break;
                case 5: exactMatch = HandJson.ReadDouble(ref r) ?? throw new JsonException("a report's exact match is null"); break;
                case 6: perDigit = HandJson.ReadDoubles(ref r); break;
                case 7: failures = ReadFailures(ref r, n); break;
                case 8: testPairs = r.GetInt32(); break;
                case 9: validation = HandJson.ReadDouble(ref r) ?? throw new JsonException("a report's validation exact match is null"); break;
                case 10: bestValidation = HandJson.ReadDouble(ref r); break;
                case 11: bestStep = r.TokenType == JsonTokenType.Null ? null : r.GetInt64(); break;
                case 12: trainSeconds = HandJson.ReadDouble(ref r) ?? throw new JsonException("a report's training time is null"); break;
                case 13: loss = ReadCurve(ref r, n); break;
                case 14: validationCurve = ReadCurve(ref r, n); break;
                default: r.Skip(); break;
            }
        }
        return new RunReport(model ?? throw new JsonException("a run report has no model"), parameters, steps, seed, finalLoss, exactMatch, perDigit ?? [], failures ?? [],
                             testPairs, validation, bestValidation, bestStep, trainSeconds, loss ?? [], validationCurve ?? []);
    }

    static void WriteCurve(Utf8JsonWriter w, JsonEncodedText name, IReadOnlyList<CurvePoint>? curve, Names n)
    {
        if (curve is not { Count: > 0 }) return;
        w.WriteStartArray(name);
        foreach (var point in curve)
        {
            w.WriteStartObject();
            w.WriteNumber(n.Point[0], point.Step);
            HandJson.WriteDouble(w, n.Point[1], point.Value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    static List<CurvePoint>? ReadCurve(ref Utf8JsonReader r, Names n)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        HandJson.Expect(ref r, JsonTokenType.StartArray, "a curve");
        var curve = new List<CurvePoint>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            HandJson.Expect(ref r, JsonTokenType.StartObject, "a curve point");
            long step = 0;
            double value = 0;
            while (HandJson.NextProperty(ref r))
            {
                int which = HandJson.Find(ref r, n.Point);
                r.Read();
                if (which == 0) step = r.GetInt64();
                else if (which == 1) value = HandJson.ReadDouble(ref r) ?? throw new JsonException("a curve point's value is null");
                else r.Skip();
            }
            curve.Add(new CurvePoint(step, value));
        }
        return curve;
    }

    static List<FailureReport>? ReadFailures(ref Utf8JsonReader r, Names n)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        HandJson.Expect(ref r, JsonTokenType.StartArray, "a report's failures");
        var failures = new List<FailureReport>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            HandJson.Expect(ref r, JsonTokenType.StartObject, "a failure");
            long a = 0, b = 0, expected = 0;
            long? predicted = null;
            string decoded = "";
            while (HandJson.NextProperty(ref r))
            {
                int which = HandJson.Find(ref r, n.Failure);
                r.Read();
                switch (which)
                {
                    case 0: a = r.GetInt64(); break;
                    case 1: b = r.GetInt64(); break;
                    case 2: expected = r.GetInt64(); break;
                    case 3: predicted = r.TokenType == JsonTokenType.Null ? null : r.GetInt64(); break;
                    case 4: decoded = r.GetString() ?? ""; break;
                    default: r.Skip(); break;
                }
            }
            failures.Add(new FailureReport(a, b, expected, predicted, decoded));
        }
        return failures;
    }

    static ImmutableList<HistoryPoint>? ReadHistory(ref Utf8JsonReader r, Names n)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        HandJson.Expect(ref r, JsonTokenType.StartArray, "a run's history");
        var points = ImmutableList.CreateBuilder<HistoryPoint>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            HandJson.Expect(ref r, JsonTokenType.StartObject, "a history point");
            long step = 0;
            double? loss = null, exact = null, validationLoss = null;
            while (HandJson.NextProperty(ref r))
            {
                int which = HandJson.Find(ref r, n.History);
                r.Read();
                switch (which)
                {
                    case 0: step = r.GetInt64(); break;
                    case 1: loss = HandJson.ReadDouble(ref r); break;
                    case 2: exact = HandJson.ReadDouble(ref r); break;
                    case 3: validationLoss = HandJson.ReadDouble(ref r); break;
                    default: r.Skip(); break;
                }
            }
            points.Add(new HistoryPoint(step, loss, exact, validationLoss));
        }
        return points.ToImmutable();
    }

    static ImmutableList<RungResult>? ReadRungs(ref Utf8JsonReader r, Names n)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        HandJson.Expect(ref r, JsonTokenType.StartArray, "a run's rungs");
        var rungs = ImmutableList.CreateBuilder<RungResult>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            HandJson.Expect(ref r, JsonTokenType.StartObject, "a rung result");
            int rung = 0;
            long step = 0;
            double? value = null;
            while (HandJson.NextProperty(ref r))
            {
                int which = HandJson.Find(ref r, n.Rung);
                r.Read();
                switch (which)
                {
                    case 0: rung = r.GetInt32(); break;
                    case 1: step = r.GetInt64(); break;
                    case 2: value = HandJson.ReadDouble(ref r); break;
                    default: r.Skip(); break;
                }
            }
            rungs.Add(new RungResult(rung, step, value));
        }
        return rungs.ToImmutable();
    }

    static RunStatus ReadStatus(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.Number ? (RunStatus)r.GetInt32()
        : Enum.TryParse<RunStatus>(r.GetString(), ignoreCase: true, out var status) ? status
        : throw new JsonException($"unknown run status '{r.GetString()}'");

    static DateTimeOffset? ReadTime(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : r.GetDateTimeOffset();
}
