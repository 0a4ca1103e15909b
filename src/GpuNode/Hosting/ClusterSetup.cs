using Akka.Actor;
using Akka.Cluster;
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
}

public static class ClusterHosting
{
    /// <summary>Training actors each get a thread of their own.</summary>
    const string Dispatchers = $$"""
        actorsweep.training-dispatcher {
          type = PinnedDispatcher
        }
        """;

    /// <summary>Remoting, clustering, the pinned training dispatcher, and the one serializer of every <see cref="ISweepMessage"/>.</summary>
    public static AkkaConfigurationBuilder WithActorSweepCluster(this AkkaConfigurationBuilder builder, ClusterSetup setup)
    {
        builder.AddHocon(Dispatchers, HoconAddMode.Prepend)
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

    /// <summary>The node agent of a worker: pulls runs from the supervisor into its slots.</summary>
    public static AkkaConfigurationBuilder WithNodeAgent(this AkkaConfigurationBuilder builder, Func<ActorSystem, NodeSettings> settings) =>
        builder.WithActors((system, registry) =>
        {
            var supervisor = registry.Get<SweepSupervisorProxy>();
            var nodeSettings = settings(system);
            registry.Register<NodeAgent>(system.ActorOf(NodeAgent.Props(nodeSettings, supervisor), "node-agent"));
        });

    public static string SelfNodeId(ActorSystem system) => NodeIdentity.Of(Cluster.Get(system).SelfUniqueAddress);
}
