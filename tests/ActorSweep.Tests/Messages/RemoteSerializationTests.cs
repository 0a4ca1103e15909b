using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Serialization;
using Akka.TestKit.Xunit;
using ActorSweep.Messages;
using ActorSweep.Messages.Serialization;
using ActorSweep.Messages.Sweeps;

namespace ActorSweep.Tests.Messages;

/// <summary>
/// A peer on the network sends a message whose manifest this build does not know (a newer or a
/// hostile node). Over real remoting on loopback the receiver logs the refusal, drops that one
/// message, keeps the connection, and goes on receiving.
/// </summary>
public sealed class RemoteSerializationTests : TestKit
{
    static readonly string Remote = $$"""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.loglevel = INFO
        akka.actor.serializers.actorsweep = "{{typeof(SweepMessageSerializer).AssemblyQualifiedName}}"
        akka.actor.serialization-bindings { "{{typeof(ISweepMessage).AssemblyQualifiedName}}" = actorsweep }
        """;

    public RemoteSerializationTests() : base(Remote) { }

    /// <summary>What a node from the future sends: a message type this build has never heard of.</summary>
    public sealed record FromTheFuture(string Payload) : ISweepMessage;

    /// <summary>The sender's serializer: the same id as ours, with one manifest ours does not know.</summary>
    public sealed class FutureSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
    {
        readonly SweepMessageSerializer _current = new(system);
        public override int Identifier => SweepMessageSerializer.Id;
        public override string Manifest(object o) => o is FromTheFuture ? "sweep.cmd.from-the-future.v9" : _current.Manifest(o);
        public override byte[] ToBinary(object obj) => obj is FromTheFuture f ? Encoding.UTF8.GetBytes($"{{\"payload\":\"{f.Payload}\"}}") : _current.ToBinary(obj);
        public override object FromBinary(byte[] bytes, string manifest) => _current.FromBinary(bytes, manifest);
    }

    [Fact]
    public void An_unknown_manifest_from_a_remote_peer_is_refused_and_logged_and_the_connection_keeps_working()
    {
        var errors = CreateTestProbe();
        Sys.EventStream.Subscribe(errors.Ref, typeof(Error));
        var target = Sys.ActorOf(Props.Create(() => new Forwarder(TestActor)), "target");
        var address = ((ExtendedActorSystem)Sys).Provider.DefaultAddress;

        using var peer = ActorSystem.Create("peer", ConfigurationFactory.ParseString($$"""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            akka.loglevel = WARNING
            akka.actor.serializers.future = "{{typeof(FutureSerializer).AssemblyQualifiedName}}"
            akka.actor.serialization-bindings { "{{typeof(ISweepMessage).AssemblyQualifiedName}}" = future }
            """));
        var remoteTarget = peer.ActorSelection(new RootActorPath(address) / "user" / "target");

        remoteTarget.Tell(new ListSweeps());                 // a known message first: the connection works
        ExpectMsg<ListSweeps>();
        remoteTarget.Tell(new FromTheFuture("hello"));      // refused
        remoteTarget.Tell(new GetSweepState("after"));       // and the next one still arrives
        Assert.Equal("after", ExpectMsg<GetSweepState>().SweepId);

        var logged = errors.FishForMessage<Error>(e => e.Message?.ToString()?.Contains("from-the-future") == true, TimeSpan.FromSeconds(10));
        Assert.Contains("unknown manifest 'sweep.cmd.from-the-future.v9'", logged.Message.ToString());
        Assert.False(Sys.WhenTerminated.IsCompleted);
    }

    sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef to) => ReceiveAny(m => to.Forward(m));
    }
}
