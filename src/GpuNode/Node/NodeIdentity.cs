using Akka.Cluster;

namespace ActorSweep.GpuNode.Node;

/// <summary>A node's id in sweeps: its cluster address and incarnation uid, so a restarted process is a new node.</summary>
public static class NodeIdentity
{
    public static string Of(UniqueAddress address) => $"{address.Address}#{address.Uid}";
}
