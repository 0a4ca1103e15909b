using System.Collections.Immutable;
using System.IO.Compression;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ActorSweep.Messages.Results;
using ActorSweep.Messages.Runs;
using ActorSweep.Messages.Serialization;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Sweeps;
using ActorSweep.Tasks.Noop;
using static ActorSweep.Tests.Sweeps.SweepFixtures;

namespace ActorSweep.Tests.Messages;

/// <summary>
/// Snapshots are written and read by hand (RunStateJson, SweepDefinitionJson, NoopJson) for
/// speed: they must keep every field, read what System.Text.Json wrote before them, and refuse
/// malformed input by name.
/// </summary>
public sealed class SnapshotJsonTests
{
    static readonly JsonSerializerOptions Json = SweepMessageSerializer.Json;
    static readonly SweepMessageSerializer Serializer = new(null!);
    static readonly string Manifest = MessageManifests.ManifestOf(typeof(SweepState))!;

    /// <summary>A state whose runs between them set every field, with NaN, infinities, nulls and empty lists.</summary>
    static SweepState Rich()
    {
        var addition = SweepFile.Parse("""
            name: rich
            task: addition
            retries: 2
            scheduler: { type: asha, metric: validation_loss, min_steps: 100, reduction_factor: 3 }
            stop: { validation_exact_match: 0.99, runs_at_target: 1 }
            budget: { steps: 900, eval_every: 100, checkpoint_every: 100 }
            runs:
              - { name: small, d_model: 8, d_ff: 16 }
            """, "rich.yaml");
        RunSpec noop = new("curve@s5", new NoopDefinition("curve", 5, 30, 0.01, 3, plateau: 0.8, rate: 0.2),
                           ImmutableSortedDictionary<string, string>.Empty.Add("plateau", "0.8").Add("rate", "0.2"));
        var definition = addition with { Runs = addition.Runs.Add(noop).Add(Run("plain")) };
        var full = new RunReport("pico", 777, 27000, 42, double.NaN, 0.95, [1, double.PositiveInfinity, 0.5],
                                 [new FailureReport(1, 2, 3, 4, "4000$"), new FailureReport(5, 6, 11, null, "?")],
                                 10000, 0.953, 0.96, 26000, 866.5, [new CurvePoint(100, 1.2), new CurvePoint(200, double.NegativeInfinity)], [new CurvePoint(1000, 0.5)]);
        var runs = new Dictionary<string, RunState>
        {
            [definition.Runs[0].RunId] = new(definition.Runs[0], RunStatus.Completed, 3, "akka.tcp://actorsweep@10.0.0.7:4053#1", new CheckpointInfo(900, "sqlite:rich/small/900.a3",
                new RunSummary(0.1, 0.97, double.NaN)), 2, "root cause: <b>boom</b>", full, T0, T0.AddMinutes(5), [new RungResult(0, 100, 0.4), new RungResult(1, 300, null)], AtTarget: true,
                History: [new HistoryPoint(100, 1.5, 0, double.NaN), new HistoryPoint(200, null, 0.5, 0.7)]),
            [noop.RunId] = new(noop, RunStatus.Paused, 1, "n2", new CheckpointInfo(9, "ref-9", new RunSummary(null, 0.5)), 0, null, null, T0, null, [new RungResult(0, 9, 0.5)]),
            ["plain"] = RunState.New(definition.Runs[2]),
        };
        return new SweepState("rich", definition, runs.ToImmutableDictionary(), RunQueue.Of(["plain"]), false, 17, new RunCounts(1, 0, 1, 0, 0, 1))
        {
            StepsSpent = 909, ReachedTarget = 1,
        };
    }

    /// <summary>System.Text.Json's own form of a value (a run with its spec, a definition): what every field must survive into.</summary>
    static string Plain<T>(T value) => JsonSerializer.Serialize(value, Json);

    static void AssertSame(SweepState expected, SweepState actual)
    {
        Assert.Equal(Plain(expected.Definition), Plain(actual.Definition));
        Assert.Equal(expected.Runs.Keys.Order(), actual.Runs.Keys.Order());
        foreach (var (id, run) in expected.Runs) Assert.Equal(Plain(run), Plain(actual.Runs[id]));
        Assert.Equal(Plain(expected), Plain(actual));
        Assert.Equal((expected.StepsSpent, expected.ReachedTarget, expected.EventCount, expected.Counts), (actual.StepsSpent, actual.ReachedTarget, actual.EventCount, actual.Counts));
    }

    [Fact]
    public void A_snapshot_keeps_every_field_of_every_run_and_of_the_definition()
    {
        var state = Rich();
        var back = (SweepState)Serializer.FromBinary(Serializer.ToBinary(state), Manifest);
        AssertSame(state, back);
        var small = back.Runs[state.Definition!.Runs[0].RunId];
        Assert.True(double.IsNaN(small.Report!.FinalLoss));
        Assert.Null(small.Report.Failures[1].Predicted);
        Assert.True(small.AtTarget);
        Assert.Equal(0.8, ((NoopDefinition)back.Definition!.Runs[1].Definition).Plateau);
    }

    [Fact]
    public void A_snapshot_that_System_Text_Json_wrote_reads_the_same()
    {
        // Snapshots written before the hand-written form: every field, nulls included, and each
        // run spec with its derived task, name and seed.
        var state = Rich();
        var node = JsonNode.Parse(Plain(state))!.AsObject();
        node["definition"] = JsonSerializer.SerializeToNode(state.Definition, Json);
        node["runs"] = new JsonArray([.. state.OrderedRuns.Select(run =>
        {
            var stored = JsonSerializer.SerializeToNode(run, Json)!.AsObject();
            stored.Remove("spec");
            stored.Insert(0, "runId", run.Spec.RunId);
            return (JsonNode)stored;
        })]);
        Assert.Contains("\"lastError\":null", node.ToJsonString());
        Assert.Contains("\"name\":\"curve\",\"seed\":5}", node.ToJsonString()); // a spec's derived fields
        AssertSame(state, JsonSerializer.Deserialize<SweepState>(node.ToJsonString(), Json)!);
    }

    [Fact]
    public void Runs_written_before_the_definition_are_read_against_it()
    {
        var state = Rich();
        var node = JsonNode.Parse(JsonSerializer.Serialize(state, Json))!.AsObject();
        var definition = node["definition"]!;
        node.Remove("definition");
        node.Add("definition", definition.DeepClone()); // now after "runs"
        Assert.True(node.ToJsonString().IndexOf("\"runs\"", StringComparison.Ordinal) < node.ToJsonString().IndexOf("\"definition\"", StringComparison.Ordinal));
        AssertSame(state, JsonSerializer.Deserialize<SweepState>(node.ToJsonString(), Json)!);
    }

    [Fact]
    public void The_hand_written_fields_are_the_records_fields()
    {
        var names = new RunStateJson.Names(Json);
        AssertFields(typeof(RunState), names.Run, ("Spec", "RunId"));
        AssertFields(typeof(CheckpointInfo), names.Checkpoint);
        AssertFields(typeof(RunSummary), names.Summary);
        AssertFields(typeof(RunReport), names.Report);
        AssertFields(typeof(FailureReport), names.Failure);
        AssertFields(typeof(CurvePoint), names.Point);
        AssertFields(typeof(RungResult), names.Rung);
        var definition = new SweepDefinitionJson.Names(Json);
        AssertFields(typeof(SweepDefinition), definition.Sweep);
        AssertFields(typeof(RunSpec), definition.Spec);
        var noop = typeof(NoopDefinition).GetConstructors().Single().GetParameters()
            .Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name!)).Order();
        Assert.Equal(noop, NoopJson.Fields.Order());

        static void AssertFields(Type record, JsonEncodedText[] written, params (string From, string To)[] renamed)
        {
            var parameters = record.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First().GetParameters()
                .Select(p => char.ToUpperInvariant(p.Name![0]) + p.Name[1..])
                .Select(p => renamed.FirstOrDefault(r => r.From == p).To ?? p)
                .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p));
            Assert.Equal(parameters.Order(), written.Select(w => w.Value).Order());
        }
    }

    [Theory]
    [InlineData("\"status\":\"Paused\"", "\"status\":\"Sleeping\"", "unknown run status 'Sleeping'")]
    [InlineData("{\"task\":\"noop\",\"name\":\"curve\"", "{\"task\":\"noop\",\"stepz\":3,\"name\":\"curve\"", "a noop definition has no field 'stepz'")]
    [InlineData("{\"runId\":\"plain\",\"status\"", "{\"runId\":\"ghost\",\"status\"", "run 'ghost' is not in the sweep's definition")]
    [InlineData("\"attempt\":3", "\"attempt\":\"three\"", "malformed")]
    [InlineData("\"finishedAt\":\"2026", "\"finishedAt\":\"Tuesday", "malformed")]
    public void A_malformed_snapshot_is_refused_naming_the_problem(string field, string broken, string message)
    {
        string json = JsonSerializer.Serialize(Rich(), Json);
        Assert.Contains(field, json);
        var e = Assert.Throws<SerializationException>(() => Serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(json.Replace(field, broken)), Manifest));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_compressed_payload_whose_trailer_understates_its_size_is_read_whole()
    {
        // Two gzip members: the trailer read first (the last member's) gives only its own length.
        byte[] first = Gzip("{\"sweepId\":\"rich\","u8.ToArray()), second = Gzip("\"eventCount\":0}"u8.ToArray());
        byte[] both = [.. first, .. second];
        Assert.Equal("{\"sweepId\":\"rich\",\"eventCount\":0}", System.Text.Encoding.UTF8.GetString(SweepMessageSerializer.Decompress(both)));
        byte[] large = System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(Rich(), Json));
        Assert.Equal(large, SweepMessageSerializer.Decompress(Gzip(large)));

        static byte[] Gzip(byte[] text)
        {
            var output = new MemoryStream();
            using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(text);
            return output.ToArray();
        }
    }
}
