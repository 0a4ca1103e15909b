using System.Collections.Immutable;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using ActorSweep.Messages;
using ActorSweep.Messages.Results;
using ActorSweep.Messages.Serialization;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Messages.Work;
using static ActorSweep.Tests.Sweeps.SweepFixtures;

namespace ActorSweep.Tests.Messages;

/// <summary>Every message type round-trips through the one serializer, under its stable manifest.</summary>
public sealed class SerializerTests : IDisposable
{
    readonly ActorSystem _system = ActorSystem.Create("serializer-test", ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers.actorsweep = "{{typeof(SweepMessageSerializer).AssemblyQualifiedName}}"
          serialization-bindings { "{{typeof(ISweepMessage).AssemblyQualifiedName}}" = actorsweep }
          serialization-identifiers { "{{typeof(SweepMessageSerializer).AssemblyQualifiedName}}" = {{SweepMessageSerializer.Id}} }
        }
        """));

    public void Dispose() => _system.Terminate().Wait();

    static readonly RunReport FullReport = new("pico", 777, 27000, 42, 0.004, 0.95, [1, 0.99, 0.5], [new FailureReport(1, 2, 3, 4, "4000$")],
        10000, 0.953, 0.96, 26000, 866.5, [new CurvePoint(100, 1.2)], [new CurvePoint(1000, 0.5)]);

    /// <summary>One instance of every message type, with non-default values in every field.</summary>
    public static IEnumerable<ISweepMessage> Samples()
    {
        var definition = Definition(2, "a", "b");
        var suggested = new RunSuggested("s", "b", Run("b") with { Options = Run("b").Options.Add("rate", "0.25") },
            new Suggestion(12, 11, 2, 1, 1.5, ["a"], ImmutableSortedDictionary<string, string>.Empty.Add("rate", "0.5")));
        var exploited = new RunExploited("s", "b", "a", Checkpoint(50), Checkpoint(50) with { Reference = "copy-50" }, Run("b") with { Options = Run("b").Options.Add("rate", "0.3") },
            ImmutableSortedDictionary<string, string>.Empty.Add("rate", "0.5"), ImmutableSortedDictionary<string, string>.Empty.Add("rate", "0.3"), T0);
        var state = Submitted().Apply(new RunAssigned("s", "a", 1, "n1", Checkpoint(3), T0)).Apply(new RunCompleted("s", "a", 1, FullReport, T0)).Apply(suggested).Apply(exploited);
        var summary = state.Summary();
        yield return new SubmitSweep(definition with
        {
            Scheduler = new PbtScheduler(new MetricGoal(MetricGoal.ValidationExactMatch, true), 50, 0.25, ["rate", "plateau"], 0.3,
                [new SearchDimension("rate", DimensionKind.LogUniform, 0.01, 1)], 9),
        });
        yield return new GetSweepState("s");
        yield return new ListSweeps();
        yield return new CancelSweep("s", "user asked");
        yield return new WatchSweep("s");
        yield return new UnwatchSweep("s");
        yield return new PromoteRun("s", "a");
        yield return new SweepAccepted("s", 3, true);
        yield return new SweepRejected("s", "different contents");
        yield return new SweepStateReply("s", state);
        yield return new SweepList([summary]);
        yield return new SweepChanged("s", summary, "a");
        yield return new SweepFinished("s", summary);
        yield return new SweepSubmitted("s", definition with
        {
            Scheduler = new AshaScheduler(new MetricGoal(MetricGoal.TrainLoss, false), 10, 3, 90, 2),
            Stop = new StopSpec(new MetricGoal(MetricGoal.ValidationExactMatch, true), 0.99, 2, 1000),
            Search = new TpeSearch(new MetricGoal(MetricGoal.ValidationLoss, false),
                [new SearchDimension("rate", DimensionKind.LogUniform, 0.01, 1), new SearchDimension("plateau", DimensionKind.Choice, Choices: ["0.5", "1"])],
                7, 40, 5, 0.2, 32, true),
        }, T0);
        yield return new RunsQueued("s", ["a", "b"]);
        yield return new RunAssigned("s", "a", 2, "akka.tcp://actorsweep@127.0.0.1:1#5", Checkpoint(40), T0,
            new RunLimits(90, 270, new MetricGoal(MetricGoal.ValidationExactMatch, true), 0.99));
        yield return new RunCheckpointed("s", "a", 2, Checkpoint(50));
        yield return new RunCompleted("s", "a", 2, FullReport, T0, Checkpoint(27000), AtTarget: true);
        yield return new RunFailed("s", "a", 2, "InvalidOperationException: boom", true, T0);
        yield return new RunRequeued("s", "a", 2, "node left");
        yield return new SweepCancelled("s", "user", T0);
        yield return new RunPaused("s", "a", 2, Checkpoint(30), 1, 0.75, T0);
        yield return new RunPromoted("s", "a", 1, "in the top 1 of 3 at rung 1", RunStatus.Pruned, Back: true);
        yield return new RunPruned("s", "a", "not in the top 1 of 3 at rung 0", T0, RunStatus.Running);
        yield return suggested;
        yield return exploited;
        yield return new SweepRegistered("s", "abc123");
        yield return new SweepClosed("s", summary);
        yield return new SweepReopened("s");
        yield return state;
        yield return new RequestWork("n1", 4, "cuda:0", 5000, ["a", "b"]);
        yield return new AssignRuns("n1", [new RunAssignment("s", Run("a"), 3, Checkpoint(9), null, Adopted: true)]);
        yield return new NoWork("n1");
        yield return new WorkAvailable("runs queued");
        yield return new RunProgress("s", "a", 1, "n1", 10, 100, 0.25, 0.5);
        yield return CheckpointReport("a", 1, "n1", 10);
        yield return new RunCompletedReport("s", "a", 1, "n1", 7, FullReport, Checkpoint(27000));
        yield return new RunPausedReport("s", "a", 1, "n1", 8, Checkpoint(900));
        yield return Failed("a", 1, "n1");
        yield return Released("a", 1, "n1", 11);
        yield return new ReportAck("n1", 7, true);
        yield return new StopRuns("s", ["a", "b"], "cancelled");
    }

    public static TheoryData<string> Manifests() => new(MessageManifests.Types.Select(t => MessageManifests.ManifestOf(t)!));

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Every_message_type_round_trips(string manifest)
    {
        var sample = Samples().Single(s => MessageManifests.ManifestOf(s.GetType()) == manifest);
        var serializer = (SweepMessageSerializer)_system.Serialization.FindSerializerFor(sample);
        Assert.Equal(SweepMessageSerializer.Id, serializer.Identifier);
        Assert.Equal(manifest, serializer.Manifest(sample));

        byte[] bytes = serializer.ToBinary(sample);
        object back = serializer.FromBinary(bytes, manifest);
        Assert.IsType(sample.GetType(), back);
        Assert.Equal(bytes, serializer.ToBinary(back)); // every field survived
    }

    [Fact]
    public void Every_message_type_in_the_contracts_has_a_manifest_and_a_sample()
    {
        var types = typeof(ISweepMessage).Assembly.GetTypes()
            .Where(t => typeof(ISweepMessage).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false }).ToHashSet();
        Assert.Equal(types.OrderBy(t => t.Name), MessageManifests.Types.OrderBy(t => t.Name));
        Assert.Equal(types.OrderBy(t => t.Name), Samples().Select(s => s.GetType()).Distinct().OrderBy(t => t.Name));
        Assert.Equal(MessageManifests.Types.Count(), MessageManifests.Types.Select(MessageManifests.ManifestOf).Distinct().Count());
    }

    [Fact]
    public void No_persisted_event_or_snapshot_holds_an_actor_reference()
    {
        var persisted = MessageManifests.Types.Where(t => typeof(ISweepEvent).IsAssignableFrom(t) || typeof(ISupervisorEvent).IsAssignableFrom(t)
                                                          || typeof(ISweepSnapshot).IsAssignableFrom(t));
        foreach (var type in persisted)
            Assert.False(Reaches(type, typeof(IActorRef), []), $"{type.Name} reaches an IActorRef");

        static bool Reaches(Type type, Type target, HashSet<Type> seen)
        {
            if (target.IsAssignableFrom(type)) return true;
            if (type.IsPrimitive || type == typeof(string) || !seen.Add(type)) return false;
            var inner = type.IsGenericType ? type.GetGenericArguments() : type.IsArray ? [type.GetElementType()!] : [];
            return inner.Any(t => Reaches(t, target, seen))
                   || (type.Namespace?.StartsWith("ActorSweep") == true && type.GetProperties().Any(p => Reaches(p.PropertyType, target, seen)));
        }
    }

    [Fact]
    public void An_unknown_manifest_is_refused_with_a_clear_error()
    {
        var serializer = new SweepMessageSerializer((ExtendedActorSystem)_system);
        var e = Assert.Throws<SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), "sweep.evt.from-the-future.v9"));
        Assert.Contains("unknown message manifest 'sweep.evt.from-the-future.v9'", e.Message);
    }

    [Fact]
    public void A_malformed_payload_is_refused_with_a_clear_error()
    {
        var serializer = new SweepMessageSerializer((ExtendedActorSystem)_system);
        var e = Assert.Throws<SerializationException>(() => serializer.FromBinary("{not json"u8.ToArray(), "work.request.v1"));
        Assert.Contains("malformed 'work.request.v1'", e.Message);
    }

    [Fact]
    public void A_type_without_a_manifest_is_not_written()
    {
        var serializer = new SweepMessageSerializer((ExtendedActorSystem)_system);
        Assert.Throws<ArgumentException>(() => serializer.ToBinary("a string"));
    }

    [Fact]
    public void A_snapshot_is_stored_compressed_and_its_head_alone_gives_its_counts()
    {
        var serializer = new SweepMessageSerializer((ExtendedActorSystem)_system);
        string[] runs = Enumerable.Range(0, 2000).Select(i => $"r{i}").ToArray();
        var state = SweepState.Empty("s").Apply(new SweepSubmitted("s", Definition(1, runs), T0)).Apply(new RunsQueued("s", [.. runs]))
            .Apply(new RunAssigned("s", "r7", 1, "n1", null, T0)).Apply(new RunCompleted("s", "r7", 1, FullReport, T0));
        byte[] stored = serializer.ToBinary(state);
        int json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(state, SweepMessageSerializer.Json).Length;
        Assert.True(SweepMessageSerializer.IsCompressed(stored));
        Assert.True(stored.Length * 5 < json, $"{stored.Length} B compressed from {json} B");
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(state, SweepMessageSerializer.Json),
                     System.Text.Json.JsonSerializer.Serialize((SweepState)serializer.FromBinary(stored, MessageManifests.ManifestOf(typeof(SweepState))!), SweepMessageSerializer.Json));

        // `status` reads a snapshot's first few kilobytes: they decompress to its leading counts.
        string head = System.Text.Encoding.UTF8.GetString(SweepMessageSerializer.JsonHead(stored[..512], 4096));
        Assert.StartsWith("""{"sweepId":"s","task":"noop","cancelled":false,"eventCount":4,"counts":{"queued":1999,"running":0,"completed":1""", head);
        Assert.Throws<SerializationException>(() => serializer.FromBinary(stored[..512], MessageManifests.ManifestOf(typeof(SweepState))!)); // a cut snapshot is refused
        // Compressed snapshots are v3; a v2 snapshot (the same JSON, uncompressed) is still read.
        Assert.Equal("sweep.snapshot.state.v3", MessageManifests.ManifestOf(typeof(SweepState)));
        var v2 = (SweepState)serializer.FromBinary(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(state, SweepMessageSerializer.Json), "sweep.snapshot.state.v2");
        Assert.Equal(state.Summary(), v2.Summary());
    }
}
