using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit.Xunit;
using ActorSweep.Hosting.Storage;
using ActorSweep.GpuNode.Node;
using ActorSweep.Messages.Runs;
using ActorSweep.Messages.Work;
using ActorSweep.Tasks.Noop;

namespace ActorSweep.Tests.Node;

/// <summary>The node agent's side of the pull protocol, with a probe standing in for the supervisor.</summary>
public sealed class NodeAgentTests : TestKit, IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("actorsweep-node-").FullName;
    readonly DirectoryCheckpointStore _store;

    public NodeAgentTests() : base("""
        actorsweep.training-dispatcher { type = ForkJoinDispatcher, throughput = 1, dedicated-thread-pool.thread-count = 2 }
        akka.loglevel = WARNING
        """) => _store = new DirectoryCheckpointStore(_dir);

    void IDisposable.Dispose()
    {
        Shutdown();
        Directory.Delete(_dir, recursive: true);
    }

    NodeSettings Settings(int slots = 2) => new("node-1", slots, "cpu", _store)
    {
        ResendInterval = TimeSpan.FromMilliseconds(200),
        IdleRetryInterval = TimeSpan.FromSeconds(30),
    };

    static RunAssignment Noop(string id, long steps = 3, int checkpointEvery = 1, int attempt = 1, double stepSeconds = 0) =>
        new("s", new RunSpec(id, new NoopDefinition(id, 1, steps, stepSeconds, checkpointEvery), ImmutableSortedDictionary<string, string>.Empty), attempt, null);

    /// <summary>Returns once the agent has handled every message sent to it before.</summary>
    void Barrier(IActorRef agent) => agent.Ask<NodeAgent.NodeStats>(new NodeAgent.GetStats(), TimeSpan.FromSeconds(5)).Wait();

    [Fact]
    public void It_asks_for_as_many_runs_as_it_has_free_slots_and_for_more_when_one_ends()
    {
        var supervisor = CreateTestProbe();
        var agent = Sys.ActorOf(NodeAgent.Props(Settings(slots: 3), supervisor.Ref));
        Assert.Equal(new RequestWork("node-1", 3, "cpu"), supervisor.ExpectMsg<RequestWork>());
        agent.Tell(new AssignRuns("node-1", [Noop("a", steps: 100_000, checkpointEvery: 100_000, stepSeconds: 0.001)]), supervisor.Ref);
        Assert.Equal(2, supervisor.ExpectMsg<RequestWork>().FreeSlots); // the rest of its slots
        agent.Tell(new NoWork("node-1"), supervisor.Ref);
        agent.Tell(new StopRuns("s", ["a"], "test"), supervisor.Ref); // handled after NoWork: same sender
        var released = supervisor.FishForMessage<RunReleasedReport>(_ => true);
        agent.Tell(new ReportAck("node-1", released.ReportId, true), supervisor.Ref);
        Assert.Equal(3, supervisor.FishForMessage<RequestWork>(_ => true).FreeSlots); // the freed slot asks again
    }

    [Fact]
    public void Reports_are_resent_until_acknowledged()
    {
        var supervisor = CreateTestProbe();
        var agent = Sys.ActorOf(NodeAgent.Props(Settings(slots: 1), supervisor.Ref));
        supervisor.ExpectMsg<RequestWork>();
        agent.Tell(new AssignRuns("node-1", [Noop("a", steps: 1)]), supervisor.Ref);
        var first = supervisor.FishForMessage<RunCompletedReport>(_ => true);
        var again = supervisor.FishForMessage<RunCompletedReport>(_ => true);
        Assert.Equal(first, again);
        agent.Tell(new ReportAck("node-1", first.ReportId, true), supervisor.Ref);
        Barrier(agent);
        supervisor.ReceiveWhile<object>(TimeSpan.FromMilliseconds(100), m => m); // what was sent before the ack
        supervisor.ExpectNoMsg(TimeSpan.FromMilliseconds(600)); // acknowledged: no more resends (every 200 ms before)
    }

    [Fact]
    public void A_training_actor_that_throws_is_reported_failed_with_its_error()
    {
        var supervisor = CreateTestProbe();
        var settings = Settings(slots: 1) with { InjectFault = (_, step) => step == 1 };
        var agent = Sys.ActorOf(NodeAgent.Props(settings, supervisor.Ref));
        supervisor.ExpectMsg<RequestWork>();
        agent.Tell(new AssignRuns("node-1", [Noop("a", steps: 5)]), supervisor.Ref);
        var failed = supervisor.FishForMessage<RunFailedReport>(_ => true);
        Assert.Equal(("a", 1, "node-1"), (failed.RunId, failed.Attempt, failed.NodeId));
        Assert.Contains("InjectedFaultException: injected fault in run 'a' attempt 1 at step 1", failed.Error);
        Assert.Equal(1, supervisor.FishForMessage<RequestWork>(_ => true).FreeSlots); // the slot is free again
    }

    [Fact]
    public void Draining_with_a_work_request_in_flight_hands_back_what_arrives_without_starting_it()
    {
        var supervisor = CreateTestProbe();
        var agent = Sys.ActorOf(NodeAgent.Props(Settings(slots: 2), supervisor.Ref));
        supervisor.ExpectMsg<RequestWork>();
        var drainer = CreateTestProbe();
        agent.Tell(new NodeAgent.Drain(), drainer.Ref);
        drainer.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // the request may still be answered

        var resume = new CheckpointInfo(7, "file:s/a/000000000007.ckpt", new RunSummary(null, null));
        agent.Tell(new AssignRuns("node-1", [Noop("a") with { Attempt = 2, ResumeFrom = resume }]), supervisor.Ref);
        var released = supervisor.FishForMessage<RunReleasedReport>(_ => true);
        Assert.Equal(("a", 2, resume), (released.RunId, released.Attempt, released.Checkpoint));
        drainer.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // not until the supervisor has it
        agent.Tell(new ReportAck("node-1", released.ReportId, true), supervisor.Ref);
        Assert.Equal(1, drainer.ExpectMsg<NodeAgent.Drained>().Released);
        var after = supervisor.ReceiveWhile<object>(TimeSpan.FromMilliseconds(500), m => m); // resends may still trickle in
        Assert.DoesNotContain(after, m => m is RequestWork); // but it asks for no more work
    }

    [Fact]
    public void Draining_checkpoints_running_runs_where_they_are()
    {
        var supervisor = CreateTestProbe();
        var agent = Sys.ActorOf(NodeAgent.Props(Settings(slots: 1), supervisor.Ref));
        supervisor.ExpectMsg<RequestWork>();
        agent.Tell(new AssignRuns("node-1", [Noop("a", steps: 10_000, checkpointEvery: 5_000, stepSeconds: 0.001)]), supervisor.Ref);
        supervisor.FishForMessage<RunProgress>(p => p.Step > 3);
        agent.Tell(new NodeAgent.Drain(), TestActor);
        var released = supervisor.FishForMessage<RunReleasedReport>(_ => true);
        Assert.InRange(released.Checkpoint!.Step, 4, 9_999);
        Assert.Equal(8, _store.Load(released.Checkpoint.Reference).Length); // the checkpoint is really stored
        agent.Tell(new ReportAck("node-1", released.ReportId, true), supervisor.Ref);
        Assert.Equal(1, ExpectMsg<NodeAgent.Drained>().Released);
    }

    [Fact]
    public void Older_checkpoints_are_deleted_only_after_the_supervisor_accepts_a_newer_one()
    {
        var supervisor = CreateTestProbe();
        var agent = Sys.ActorOf(NodeAgent.Props(Settings(slots: 1), supervisor.Ref));
        supervisor.ExpectMsg<RequestWork>();
        agent.Tell(new AssignRuns("node-1", [Noop("a", steps: 4, checkpointEvery: 1)]), supervisor.Ref);
        var c1 = supervisor.FishForMessage<RunCheckpointReport>(c => c.Checkpoint.Step == 1);
        var c2 = supervisor.FishForMessage<RunCheckpointReport>(c => c.Checkpoint.Step == 2);
        var c3 = supervisor.FishForMessage<RunCheckpointReport>(c => c.Checkpoint.Step == 3);

        agent.Tell(new ReportAck("node-1", c2.ReportId, Accepted: false), supervisor.Ref); // ignored (e.g. stale): keep everything
        agent.Tell(new ReportAck("node-1", c1.ReportId, Accepted: true), supervisor.Ref);  // nothing older than step 1
        Barrier(agent);
        Assert.Equal(8, _store.Load(c1.Checkpoint.Reference).Length);
        agent.Tell(new ReportAck("node-1", c3.ReportId, Accepted: true), supervisor.Ref);
        AwaitAssert(() => Assert.Throws<FileNotFoundException>(() => _store.Load(c1.Checkpoint.Reference)));
        Assert.Throws<FileNotFoundException>(() => _store.Load(c2.Checkpoint.Reference));
        Assert.Equal(8, _store.Load(c3.Checkpoint.Reference).Length);
    }

    [Fact]
    public void A_checkpoint_database_outage_hands_the_run_back_without_a_failure_and_pauses_asking_for_work()
    {
        var supervisor = CreateTestProbe();
        var agent = Sys.ActorOf(NodeAgent.Props(Settings(slots: 1) with { Checkpoints = new UnreachableDatabase() }, supervisor.Ref));
        supervisor.ExpectMsg<RequestWork>();
        // The pause starts after the failure, which comes after the assignment: from here, the next request is at least 1 s away.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        agent.Tell(new AssignRuns("node-1", [Noop("a", steps: 10, checkpointEvery: 1)]), supervisor.Ref);

        var report = supervisor.FishForMessage<IRunReport>(r => r is RunReleasedReport or RunFailedReport);
        var released = Assert.IsType<RunReleasedReport>(report); // not a failure: the run keeps its retries
        Assert.Null(released.Checkpoint);                          // it resumes from the last checkpoint the supervisor accepted
        agent.Tell(new ReportAck("node-1", released.ReportId, true), supervisor.Ref);
        supervisor.FishForMessage<RequestWork>(_ => true, TimeSpan.FromSeconds(10));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"asked for work again {clock.Elapsed.TotalSeconds:F2} s after the assignment, inside the 1 s back-off");
        Assert.Equal([1.0, 2, 4, 8, 16, 30, 30], Enumerable.Range(1, 7).Select(n => NodeAgent.OutageBackoff(n).TotalSeconds));
    }

    /// <summary>A checkpoint database that cannot be reached (as PostgreSQL is during an outage).</summary>
    sealed class UnreachableDatabase : ICheckpointStore
    {
        public string Save(string sweepId, string runId, int attempt, long step, byte[] data) =>
            throw new Microsoft.Data.Sqlite.SqliteException("unable to open database file", 14);
        public void DeleteOlder(string sweepId, string runId, long step) { }
        public byte[] Load(string reference) => throw new FileNotFoundException(reference);
    }
}
