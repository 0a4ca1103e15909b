using Akka.Actor;
using Akka;
using Akka.Cluster;
using Akka.Event;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using ActorSweep.GpuNode.Node;
using ActorSweep.Messages;
using ActorSweep.Messages.Serialization;

namespace ActorSweep.GpuNode.Hosting;

/// <summary>Registry key of the sweep supervisor singleton's proxy.</summary>
public sealed class SweepSupervisorProxy;

/// <summary>How a process joins the ActorSweep cluster.</summary>
public sealed record ClusterSetup
{
    public const string SystemName = "actorsweep";
    public const string SeedRole = "seed";
    public const string WorkerRole = "worker";
    public const string SupervisorName = "sweep-supervisor";

    public string Hostname { get; init; } = "127.0.0.1";
    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }
    public string? PublicHostname { get; init; }
    public IReadOnlyList<string> Roles { get; init; } = [SeedRole, WorkerRole];
    /// <summary>akka.tcp://actorsweep@host:port addresses; empty: the process forms a cluster of its own.</summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];
    /// <summary>
    /// Heartbeats a node may miss before it is marked unreachable (the failure detector's
    /// acceptable pause; heartbeats go every second). Akka's default is 3 s.
    /// </summary>
    public TimeSpan HeartbeatPause { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>
    /// How long the unreachable set must stay unchanged before the keep-majority split-brain
    /// resolver downs the minority side. Akka's default is 20 s.
    /// </summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Parses a comma- or space-separated list of seed node addresses, naming any that is malformed.</summary>
    public static IReadOnlyList<string> ParseSeedNodes(string? list)
    {
        if (string.IsNullOrWhiteSpace(list)) return [];
        var nodes = list.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var node in nodes)
            if (!Uri.TryCreate(node, UriKind.Absolute, out var uri) || uri.Scheme != "akka.tcp" || uri.UserInfo != SystemName || uri.Port <= 0)
                throw new ArgumentException($"seed node '{node}' is not an address like akka.tcp://{SystemName}@HOST:PORT");
        return nodes;
    }
}

public static class ClusterHosting
{
    /// <summary>How long shutdown waits for a node to checkpoint its runs and hand them back.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Shutdown leaves time to drain; shutdown messages stay off standard output. Failure
    /// handling: a node that stops answering heartbeats for <see cref="ClusterSetup.HeartbeatPause"/>
    /// is unreachable, and once that has been stable for <see cref="ClusterSetup.StableAfter"/> the
    /// keep-majority resolver downs it (a minority side downs itself), so a killed worker's runs are
    /// requeued within seconds instead of Akka's default ~25 s. A downed node shuts down.
    /// </summary>
    static string Settings(ClusterSetup setup) => $$"""
        akka.coordinated-shutdown.phases.before-cluster-shutdown.timeout = {{(int)DrainTimeout.TotalSeconds + 5}}s
        # After the host removes its loggers, shutdown messages would go to standard output.
        akka.stdout-loglevel = WARNING
        akka.cluster {
          downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
          split-brain-resolver {
            active-strategy = keep-majority
            stable-after = {{(int)setup.StableAfter.TotalMilliseconds}}ms
            down-all-when-unstable = on
          }
          failure-detector {
            heartbeat-interval = 1s
            acceptable-heartbeat-pause = {{(int)setup.HeartbeatPause.TotalMilliseconds}}ms
            threshold = 8.0
          }
          run-coordinated-shutdown-when-down = on
        }
        """;

    /// <summary>Remoting, clustering, the pinned training dispatcher, and the one serializer of every <see cref="ISweepMessage"/>.</summary>
    public static AkkaConfigurationBuilder WithActorSweepCluster(this AkkaConfigurationBuilder builder, ClusterSetup setup)
    {
        builder.AddHocon(Settings(setup), HoconAddMode.Prepend)
            .WithRemoting(new RemoteOptions { HostName = setup.Hostname, Port = setup.Port, PublicHostName = setup.PublicHostname })
            .WithClustering(new ClusterOptions { Roles = setup.Roles.ToArray(), SeedNodes = setup.SeedNodes.ToArray() })
            .WithCustomSerializer(SweepMessageSerializer.Name, [typeof(ISweepMessage)], system => new SweepMessageSerializer(system));
        if (setup.SeedNodes.Count == 0)
            builder.AddStartup((system, _) => Cluster.Get(system).Join(Cluster.Get(system).SelfAddress));
        return builder;
    }

    /// <summary>A proxy to the supervisor singleton, for processes that do not host it.</summary>
    public static AkkaConfigurationBuilder WithSupervisorProxy(this AkkaConfigurationBuilder builder) =>
        builder.WithSingletonProxy<SweepSupervisorProxy>(ClusterSetup.SupervisorName, new ClusterSingletonOptions { Role = ClusterSetup.SeedRole });

    /// <summary>
    /// The node agent of a worker: pulls runs from the supervisor into its slots. When the process
    /// shuts down (SIGTERM, Ctrl-C, host stop) it first checkpoints every run and hands it back,
    /// before the node leaves the cluster.
    /// </summary>
    public static AkkaConfigurationBuilder WithNodeAgent(this AkkaConfigurationBuilder builder, int slots, Func<ActorSystem, NodeSettings> settings) =>
        builder.AddHocon(TrainingDispatcher(slots), HoconAddMode.Prepend).WithActors((system, registry) =>
        {
            var supervisor = registry.Get<SweepSupervisorProxy>();
            var nodeSettings = settings(system);
            if (nodeSettings.Slots != slots) throw new ArgumentException($"node settings have {nodeSettings.Slots} slots, the training dispatcher {slots} threads");
            var agent = system.ActorOf(NodeAgent.Props(nodeSettings, supervisor), "node-agent");
            registry.Register<NodeAgent>(agent);
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeClusterShutdown, "drain-node-agent", async () =>
            {
                try { await agent.Ask<NodeAgent.Drained>(new NodeAgent.Drain(), DrainTimeout); }
                catch (Exception e) { system.Log.Warning("Node agent did not drain within {0}: {1}", DrainTimeout, e.Message); }
                return Done.Instance;
            });
        });

    /// <summary>
    /// Training actors share a dedicated pool of exactly one thread per slot: at most that many
    /// steps run at once and no run waits on another's thread (libtorch itself uses one intra-op
    /// thread per step). Throughput 1: an actor yields its thread after every step.
    /// </summary>
    static string TrainingDispatcher(int slots) => $$"""
        {{TrainingActor.DispatcherId}} {
          type = ForkJoinDispatcher
          throughput = 1
          dedicated-thread-pool {
            thread-count = {{slots}}
            threadtype = background
          }
        }
        """;

    public static string SelfNodeId(ActorSystem system) => NodeIdentity.Of(Cluster.Get(system).SelfUniqueAddress);
}
