using ActorSweep.Hosting.Storage;
using ActorSweep.Seed.Hosting;
using ActorSweep.Tests.Infrastructure;

namespace ActorSweep.Tests.Node;

/// <summary>The same contract for every checkpoint store: a directory, the SQLite file and the PostgreSQL table.</summary>
public sealed class CheckpointStoreTests(PostgresServer postgres) : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("actorsweep-store-").FullName;

    public static TheoryData<string> Stores => new("directory", "sqlite", "postgres");

    async Task<ICheckpointStore> Open(string kind) => kind switch
    {
        "directory" => new DirectoryCheckpointStore(Path.Combine(_dir, "checkpoints")),
        "sqlite" => JournalDatabase.Sqlite(Path.Combine(_dir, "store.db")).CheckpointStore(),
        _ => JournalDatabase.Postgres(await postgres.CreateDatabaseAsync()).CheckpointStore(),
    };

    [Theory, MemberData(nameof(Stores))]
    public async Task Saves_loads_overwrites_and_prunes_only_older_steps_of_the_same_run(string kind)
    {
        var store = await Open(kind);
        string r10 = store.Save("sweep/a", "run 1@s1", 1, 10, [1, 2, 3]);
        string r20 = store.Save("sweep/a", "run 1@s1", 1, 20, [4, 5]);
        string other = store.Save("sweep/a", "run 2@s1", 1, 5, [6]);
        Assert.Equal([1, 2, 3], store.Load(r10));
        Assert.Equal(r20, store.Save("sweep/a", "run 1@s1", 1, 20, [7, 8, 9])); // the same attempt and step again replaces it
        Assert.Equal([7, 8, 9], store.Load(r20));
        string stale = store.Save("sweep/a", "run 1@s1", 2, 20, [0]);     // another attempt never overwrites it
        Assert.NotEqual(r20, stale);
        Assert.Equal([7, 8, 9], store.Load(r20));
        string older = store.Save("sweep/a", "run 1@s1", 2, 15, [1]);

        store.DeleteOlder("sweep/a", "run 1@s1", 20);
        Assert.Throws<FileNotFoundException>(() => store.Load(r10));
        Assert.Throws<FileNotFoundException>(() => store.Load(older)); // older steps of every attempt go
        Assert.Equal([7, 8, 9], store.Load(r20));
        Assert.Equal([6], store.Load(other)); // another run's checkpoints are untouched
        Assert.Throws<FileNotFoundException>(() => store.Load("nowhere:x"));
        (store as IDisposable)?.Dispose();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
