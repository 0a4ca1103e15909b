using System.Threading.Channels;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Sweeps;
using Microsoft.Extensions.Hosting;

namespace ActorSweep.Tests.Sweeps;

/// <summary>An embedded host on a temporary SQLite file, and helpers to run sweeps on it.</summary>
public sealed class SweepHarness : IAsyncDisposable
{
    public readonly string Directory = System.IO.Directory.CreateTempSubdirectory("actorsweep-sweep-").FullName;
    readonly List<IHost> _hosts = [];

    public string DatabasePath => Path.Combine(Directory, "actorsweep.db");

    public async Task<(IHost Host, SweepClient Client)> StartAsync(int slots = 2, Func<EmbeddedOptions, EmbeddedOptions>? adjust = null)
    {
        var options = new EmbeddedOptions(JournalDatabase.Sqlite(DatabasePath), slots) { LogFile = Path.Combine(Directory, "actorsweep.log") };
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
