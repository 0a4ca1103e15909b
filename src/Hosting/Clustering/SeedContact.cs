using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace ActorSweep.Hosting.Clustering;

/// <summary>
/// A worker's watch on the seeds. When every seed dies at once, the workers are the majority, so
/// the split-brain resolver downs the seeds; a restarted seed then forms a new cluster, and the
/// workers, Up in the old seedless one, would never get work again. So a worker that sees no
/// reachable Up seed for <see cref="Grace"/> shuts its actor system down with
/// <see cref="SeedsLost"/> (its runs are not handed back: the restarted supervisor requeues them
/// from the journal), and its host starts a new one that joins through the seed nodes again.
/// While seedless past the grace, its liveness fails too, so Kubernetes restarts a worker that
/// could not rejoin.
/// </summary>
public sealed class SeedContact : IExtension
{
    readonly object _gate = new();
    DateTime? _seedlessSince;

    /// <summary>How long a worker may see no seed before it rejoins: long enough for the failure detector to down a dead seed and a second seed to take over.</summary>
    public TimeSpan Grace { get; private set; } = TimeSpan.FromSeconds(30);

    public static SeedContact Get(ActorSystem system) => system.WithExtension<SeedContact, SeedContactProvider>();

    /// <summary>How long this node has seen no reachable Up seed (zero while it sees one).</summary>
    public TimeSpan Lost
    {
        get
        {
            lock (_gate) return _seedlessSince is { } since ? DateTime.UtcNow - since : TimeSpan.Zero;
        }
    }

    internal void Observe(bool seedVisible)
    {
        lock (_gate)
        {
            if (seedVisible) _seedlessSince = null;
            else _seedlessSince ??= DateTime.UtcNow;
        }
    }

    /// <summary>Starts watching (workers only): the grace follows the failure detector's timings.</summary>
    public static void Watch(ActorSystem system, ClusterSetup setup)
    {
        var contact = Get(system);
        contact.Grace = 2 * (setup.HeartbeatPause + setup.StableAfter) + TimeSpan.FromSeconds(10);
        system.ActorOf(Props.Create(() => new SeedWatch(contact)), "seed-watch");
    }

    /// <summary>The reason a worker's actor system stops to rejoin.</summary>
    public sealed class SeedsLost : CoordinatedShutdown.Reason
    {
        public static readonly SeedsLost Instance = new();
        SeedsLost() { }
        public override int ExitCode => 0; // the host starts a new actor system; the process goes on
    }

    /// <summary>
    /// True when <paramref name="system"/> stopped to rejoin through the seeds: it saw none, or the
    /// split-brain resolver downed it (a worker on the minority side, or on the side that loses a
    /// tie, as two workers against two dead seeds may). Either way the supervisor requeues its
    /// runs, so it hands nothing back and its host starts a new actor system.
    /// </summary>
    public static bool StoppedToRejoin(ActorSystem? system) =>
        system is not null && CoordinatedShutdown.Get(system).ShutdownReason is SeedsLost or CoordinatedShutdown.ClusterDowningReason;

    sealed class SeedWatch : ReceiveActor, IWithTimers
    {
        sealed record Tick
        {
            public static readonly Tick Instance = new();
        }

        public ITimerScheduler Timers { get; set; } = null!;

        public SeedWatch(SeedContact contact)
        {
            var cluster = Cluster.Get(Context.System);
            var log = Context.GetLogger();
            Receive<Tick>(_ =>
            {
                var state = cluster.State;
                bool seen = cluster.SelfMember.Status == MemberStatus.Up
                    ? state.Members.Any(m => m.Status == MemberStatus.Up && m.HasRole(ClusterSetup.SeedRole) && !state.Unreachable.Contains(m))
                    : true; // still joining: the join process has its own retries
                contact.Observe(seen);
                if (contact.Lost <= contact.Grace) return;
                log.Warning("No reachable seed for {0:F0} s (the seeds died or formed a new cluster): leaving to join again through the seed nodes", contact.Lost.TotalSeconds);
                Timers.CancelAll();
                CoordinatedShutdown.Get(Context.System).Run(SeedsLost.Instance);
            });
            Timers.StartPeriodicTimer("tick", Tick.Instance, TimeSpan.FromSeconds(1));
        }
    }
}

sealed class SeedContactProvider : ExtensionIdProvider<SeedContact>
{
    public override SeedContact CreateExtension(ExtendedActorSystem system) => new();
}
