using Akka.Event;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;

namespace ActorSweep.Hosting.Clustering;

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
    /// <summary>
    /// Named failure-detector timings (heartbeat pause, stable-after). <c>fast</c> (the default):
    /// 2 s and 2 s, a dead node's runs move within ~7 s, for loopback, a lab network and the
    /// failover benchmark. <c>kubernetes</c>: 10 s and 15 s, a dead node's runs move within ~30 s,
    /// but a GC pause, CPU throttling under a container limit, or a new pod's network programming
    /// no longer downs a healthy node (a falsely downed worker loses its runs' steps since their
    /// last checkpoint, and a falsely downed seed takes the supervisor with it).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (TimeSpan HeartbeatPause, TimeSpan StableAfter)> FailureProfiles =
        new Dictionary<string, (TimeSpan, TimeSpan)>
        {
            ["fast"] = (TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)),
            ["kubernetes"] = (TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15)),
        };

    /// <summary>This setup with the named failure profile's timings; an <see cref="ArgumentException"/> names an unknown one.</summary>
    public ClusterSetup WithFailureProfile(string name) =>
        FailureProfiles.TryGetValue(name, out var profile)
            ? this with { HeartbeatPause = profile.HeartbeatPause, StableAfter = profile.StableAfter }
            : throw new ArgumentException($"failure detector '{name}' is not one of {string.Join(", ", FailureProfiles.Keys)}");

    /// <summary>Mutual TLS on remoting; null: plain TCP (a warning at start unless bound to loopback).</summary>
    public Security.ClusterTls? Tls { get; init; }

    /// <summary>True when remoting is bound to a loopback address only (where plain TCP reaches no other machine).</summary>
    public bool LoopbackOnly => IsLoopbackHost(Hostname);

    /// <summary>True for "localhost" and loopback addresses (IPv6 ones with or without brackets): the one rule for remoting and the API alike.</summary>
    public static bool IsLoopbackHost(string host) =>
        host == "localhost" || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));

    /// <summary>Remoting's protocol: plain TCP, or TLS (Akka names it akka.ssl.tcp).</summary>
    public const string Protocol = "akka.tcp", TlsProtocol = "akka.ssl.tcp";

    /// <summary>
    /// Parses a comma- or space-separated list of seed node addresses (akka.tcp:// or
    /// akka.ssl.tcp://), naming any that is malformed.
    /// </summary>
    public static IReadOnlyList<string> ParseSeedNodes(string? list)
    {
        if (string.IsNullOrWhiteSpace(list)) return [];
        var nodes = list.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var node in nodes)
            if (!Uri.TryCreate(node, UriKind.Absolute, out var uri) || uri.Scheme is not (Protocol or TlsProtocol) || uri.UserInfo != SystemName || uri.Port <= 0)
                throw new ArgumentException($"seed node '{node}' is not an address like {Protocol}://{SystemName}@HOST:PORT");
        return nodes;
    }

    /// <summary>
    /// The seed nodes in the protocol this node speaks: the same address list serves a cluster with
    /// and without TLS (under TLS Akka addresses nodes as akka.ssl.tcp://).
    /// </summary>
    public IReadOnlyList<string> SeedAddresses()
    {
        string wanted = Tls is null ? Protocol : TlsProtocol;
        return [.. SeedNodes.Select(n => wanted + n[n.IndexOf("://", StringComparison.Ordinal)..])];
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

    /// <summary>Remoting and clustering (add <see cref="ActorSystemSetup.WithSerializationAndLogging"/> for the serializer and logs).</summary>
    public static AkkaConfigurationBuilder WithActorSweepCluster(this AkkaConfigurationBuilder builder, ClusterSetup setup)
    {
        var remote = new RemoteOptions { HostName = setup.Hostname, Port = setup.Port, PublicHostName = setup.PublicHostname };
        if (setup.Tls is { } tls)
        {
            remote.EnableSsl = true;
            remote.Ssl = new SslOptions
            {
                X509Certificate = tls.Certificate,
                RequireMutualAuthentication = true,
                SuppressValidation = false,
                ValidateCertificateHostname = false, // peers are checked by the cluster's CA and name, not by host (ClusterTls)
                CustomValidator = tls.Validate,
            };
        }
        builder.AddHocon(Settings(setup), HoconAddMode.Prepend)
            .WithRemoting(remote)
            .WithClustering(new ClusterOptions { Roles = setup.Roles.ToArray(), SeedNodes = setup.SeedAddresses().ToArray() });
        if (setup.SeedNodes.Count == 0)
            builder.AddStartup((system, _) => Cluster.Get(system).Join(Cluster.Get(system).SelfAddress));
        if (setup.Tls is null && !setup.LoopbackOnly)
            builder.AddStartup((system, _) => system.Log.Warning(
                "Cluster traffic on {0}:{1} is plain TCP beyond loopback: any process that reaches this port can join the cluster, pull runs and send sweep commands. " +
                "Give every node --tls-dir (mutual TLS), or --require-tls to refuse to start this way.", setup.Hostname, setup.Port));
        return builder;
    }

    /// <summary>A proxy to the supervisor singleton, for processes that do not host it.</summary>
    public static AkkaConfigurationBuilder WithSupervisorProxy(this AkkaConfigurationBuilder builder) =>
        builder.WithSingletonProxy<SweepSupervisorProxy>(ClusterSetup.SupervisorName, new ClusterSingletonOptions { Role = ClusterSetup.SeedRole });

    public static string SelfNodeId(ActorSystem system) => NodeIdentity.Of(Cluster.Get(system).SelfUniqueAddress);
}
