using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using ActorSweep.GpuNode.Node;
using ActorSweep.Hosting.Clustering;

namespace ActorSweep.GpuNode.Hosting;

public static class NodeAgentHosting
{
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
                // Rejoining after the seeds were lost: no supervisor to hand runs back to (the new one requeues them from the journal).
                if (SeedContact.StoppedToRejoin(system)) return Done.Instance;
                try { await agent.Ask<NodeAgent.Drained>(new NodeAgent.Drain(), ClusterHosting.DrainTimeout); }
                catch (Exception e) { system.Log.Warning("Node agent did not drain within {0}: {1}", ClusterHosting.DrainTimeout, e.Message); }
                return Done.Instance;
            });
        });

    /// <summary>Checkpoints and hands back every run of this process's node agent (the command line's Ctrl-C).</summary>
    public static async Task<NodeAgent.Drained> DrainAsync(ActorRegistry registry, TimeSpan timeout) =>
        await registry.Get<NodeAgent>().Ask<NodeAgent.Drained>(new NodeAgent.Drain(), timeout);

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
}
