using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using ActorSweep.Hosting.Clustering;
using ActorSweep.Seed.Supervisor;

namespace ActorSweep.Seed.Hosting;

public static class SupervisorHosting
{
    /// <summary>How soon a stopped supervisor starts again: the first wait, and the longest after failures in a row.</summary>
    public static readonly TimeSpan RestartFirst = TimeSpan.FromSeconds(0.5), RestartAtMost = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The journal and snapshot store (Akka.Persistence.Sql) and the sweep supervisor as a cluster
    /// singleton on role "seed"; its proxy is registered as <see cref="SweepSupervisorProxy"/>.
    /// The singleton is a back-off supervisor around the sweep supervisor: a persistent actor whose
    /// recovery fails (the journal not answering yet, on a first `kubectl apply`, or during an
    /// outage) stops, and without it the singleton would stay stopped for good. It starts again
    /// after 0.5 s, doubling per failure in a row up to 30 s; messages sent meanwhile are dropped,
    /// and senders retry (the API answers 503, workers ask again).
    /// </summary>
    /// <param name="checkpoints">Where runs checkpoint, for PBT's copies: the journal's database unless given.</param>
    public static AkkaConfigurationBuilder WithSweepSupervisor(this AkkaConfigurationBuilder builder, JournalDatabase database,
                                                               int snapshotEvery = 200, ActorSweep.Hosting.Storage.ICheckpointStore? checkpoints = null)
    {
        builder.WithSqlPersistence(database.JournalDataOptions(), autoInitialize: true);
        var supervised = Akka.Pattern.BackoffSupervisor.Props(Akka.Pattern.Backoff.OnStop(
            SweepSupervisor.Props(snapshotEvery, checkpoints ?? new ActorSweep.Hosting.Storage.LazyCheckpointStore(database.CheckpointStore)), ClusterSetup.SupervisorName, RestartFirst, RestartAtMost, randomFactor: 0.2, maxNrOfRetries: -1)); // -1: retries without end
        builder.WithSingleton<SweepSupervisorProxy>(ClusterSetup.SupervisorName, supervised,
            new ClusterSingletonOptions { Role = ClusterSetup.SeedRole }, createProxyToo: true);
        return builder;
    }
}
