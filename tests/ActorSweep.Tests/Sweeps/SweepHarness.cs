using System.Threading.Channels;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Hosting;
using ActorSweep.Cli;
using ActorSweep.Seed.Sweeps;
using ActorSweep.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;

namespace ActorSweep.Tests.Sweeps;

/// <summary>
/// An embedded host on a temporary database (a SQLite file, or a fresh PostgreSQL database), and
/// helpers to run sweeps on it.
/// </summary>
public sealed class SweepHarness : IAsyncDisposable
{
    /// <summary>The journal backends every persistence and supervisor test runs on.</summary>
    public static TheoryData<string> Backends => new("sqlite", "postgres");

    public readonly string Directory = System.IO.Directory.CreateTempSubdirectory("actorsweep-sweep-").FullName;
    readonly List<IHost> _hosts = [];
    JournalDatabase? _database;

    public string DatabasePath => Path.Combine(Directory, "actorsweep.db");

    /// <summary>The database the hosts journal to; SQLite at <see cref="DatabasePath"/> unless set by <see cref="CreateAsync"/>.</summary>
    public JournalDatabase Database => _database ??= JournalDatabase.Sqlite(DatabasePath);

    /// <summary>A harness on the named backend ("sqlite" or "postgres").</summary>
    public static async Task<SweepHarness> CreateAsync(string backend, PostgresServer postgres)
    {
        var harness = new SweepHarness();
        harness._database = backend switch
        {
            "sqlite" => JournalDatabase.Sqlite(harness.DatabasePath),
            "postgres" => JournalDatabase.Postgres(await postgres.CreateDatabaseAsync()),
            _ => throw new ArgumentException($"unknown backend '{backend}'"),
        };
        return harness;
    }

    public async Task<(IHost Host, SweepClient Client)> StartAsync(int slots = 2, Func<EmbeddedOptions, EmbeddedOptions>? adjust = null)
    {
        var options = new EmbeddedOptions(Database, slots) { LogFile = Path.Combine(Directory, "actorsweep.log") };
        var host = await EmbeddedHost.StartAsync(adjust?.Invoke(options) ?? options);
        _hosts.Add(host);
        return (host, SweepClient.For(host));
    }

    public static SweepDefinition Sweep(string yaml) => SweepFile.Parse(yaml, "test.yaml");

    /// <summary>Submits and waits for SweepFinished; returns the final state.</summary>
    public static async Task<SweepState> RunAsync(SweepClient client, SweepDefinition definition, TimeSpan timeout)
    {
        var reply = await client.SubmitAsync(definition);
        Assert.True(reply is SweepAccepted, $"submit was answered {reply}");
        var notifications = client.Watch(definition.SweepId);
        await WaitForAsync<SweepFinished>(notifications, timeout);
        return (await client.StateAsync(definition.SweepId))!;
    }

    public static async Task<T> WaitForAsync<T>(ChannelReader<object> notifications, TimeSpan timeout, Func<T, bool>? match = null)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var message in notifications.ReadAllAsync(cancel.Token))
                if (message is T t && (match?.Invoke(t) ?? true)) return t;
        }
        catch (OperationCanceledException) { }
        throw new TimeoutException($"no {typeof(T).Name} within {timeout}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Environment.GetEnvironmentVariable("ACTORSWEEP_KEEP_TEST_FILES") is null)
            try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
