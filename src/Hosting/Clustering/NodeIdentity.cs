using Akka.Cluster;

namespace ActorSweep.Hosting.Clustering;

/// <summary>A node's id in sweeps: its cluster address and incarnation uid, so a restarted process is a new node.</summary>
public static class NodeIdentity
{
    public static string Of(UniqueAddress address) => $"{address.Address}#{address.Uid}";

    /// <summary>A short metric label for a node id: host:port (the incarnation uid left out, so restarts keep the series).</summary>
    public static string Label(string nodeId)
    {
        int at = nodeId.IndexOf('@'), hash = nodeId.LastIndexOf('#');
        return at < 0 ? nodeId : nodeId[(at + 1)..(hash > at ? hash : nodeId.Length)];
    }
}
