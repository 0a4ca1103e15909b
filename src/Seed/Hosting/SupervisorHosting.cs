using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using ActorSweep.Hosting.Clustering;
using ActorSweep.Seed.Supervisor;

namespace ActorSweep.Seed.Hosting;

public static class SupervisorHosting
{
    /// <summary>
    /// The journal and snapshot store (Akka.Persistence.Sql) and the sweep supervisor as a cluster
    /// singleton on role "seed"; its proxy is registered as <see cref="SweepSupervisorProxy"/>.
    /// </summary>
    public static AkkaConfigurationBuilder WithSweepSupervisor(this AkkaConfigurationBuilder builder, JournalDatabase database,
                                                               int snapshotEvery = 200)
    {
        builder.WithSqlPersistence(database.JournalDataOptions(), autoInitialize: true);
        builder.WithSingleton<SweepSupervisorProxy>(ClusterSetup.SupervisorName, SweepSupervisor.Props(snapshotEvery),
            new ClusterSingletonOptions { Role = ClusterSetup.SeedRole }, createProxyToo: true);
        return builder;
    }
}
