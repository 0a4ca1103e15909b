using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Api;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Persistence;

namespace ActorSweep.Tests.Infrastructure;

/// <summary>
/// A cluster of real OS processes on loopback sharing one PostgreSQL database: seeds with the
/// HTTP API and workers. Disposing kills whatever is still running; a failing test's message
/// carries every process's output.
/// </summary>
public sealed class LocalCluster(string postgres) : IDisposable
{
    readonly List<NodeProcess> _processes = [];

    public string Postgres { get; } = postgres;

    public static async Task<LocalCluster> CreateAsync(PostgresServer server) => new(await server.CreateDatabaseAsync());

    public NodeProcess StartSeed(string name, int port, int apiPort, IEnumerable<int> seedPorts, params string[] extra) =>
        Track(NodeProcess.Seed(name, port, apiPort, seedPorts, Postgres, extra));

    public NodeProcess StartWorker(string name, int port, IEnumerable<int> seedPorts, int slots = 1, params string[] extra) =>
        Track(NodeProcess.Worker(name, port, seedPorts, Postgres, slots, extra));

    /// <summary>A process started another way, killed with the cluster and shown in its logs.</summary>
    public NodeProcess Track(NodeProcess process)
    {
        _processes.Add(process);
        return process;
    }

    public static ApiClient Api(int apiPort) => ApiClient.Create($"http://127.0.0.1:{apiPort}", null);

    /// <summary>Waits until the seed's /healthz is 200: a cluster member, its journal reachable, the supervisor answering.</summary>
    public async Task WaitHealthyAsync(int apiPort, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Until(async () =>
        {
            try { return (await http.GetAsync($"http://127.0.0.1:{apiPort}/healthz")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }, timeout, $"seed API on port {apiPort} healthy");
    }

    /// <summary>
    /// Waits until the node serving <paramref name="apiPort"/> sees <paramref name="members"/> Up
    /// members and none unreachable. Before a node is killed the survivors must count each other:
    /// a member still Joining or WeaklyUp does not count for the split-brain resolver, and one
    /// survivor against the dead node is a tie the lowest address wins, which can down the survivors
    /// (a seed killed before the other seed saw the worker Up; a worker killed before the seed saw
    /// the other worker Up, when the dead worker's port is below the seed's).
    /// </summary>
    public async Task WaitForMembersAsync(int apiPort, int members, TimeSpan timeout)
    {
        using var api = Api(apiPort);
        await Until(async () =>
        {
            try { return await api.MembershipAsync() is { } seen && seen.Up >= members && seen.Unreachable == 0; }
            catch (ApiException) { return false; }
            catch (TaskCanceledException) { return false; }
        }, timeout, $"{members} Up members seen from port {apiPort}");
    }

    /// <summary>Polls the sweep's state through the API until <paramref name="condition"/> holds; returns that state.</summary>
    public async Task<SweepStateReply> WaitForSweepAsync(ApiClient api, string sweepId, Func<SweepStateReply, bool> condition, TimeSpan timeout, string what)
    {
        SweepStateReply? last = null;
        await Until(async () =>
        {
            try { last = await api.StateAsync(sweepId); }
            catch (ApiException) { return false; } // e.g. the supervisor is moving to another node
            return last.State is not null && condition(last);
        }, timeout, what);
        return last!;
    }

    public async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (_processes.FirstOrDefault(p => p.HasExited && !p.ExitExpected) is { } dead)
                Assert.Fail($"{dead.Name} exited ({dead.ExitCode}) while waiting for {what}\n{Logs()}");
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {timeout} waiting for {what}\n{Logs()}");
            await Task.Delay(100);
        }
    }

    /// <summary>The sweep's journal, read straight from PostgreSQL.</summary>
    public async Task<IReadOnlyList<global::ActorSweep.Messages.ISweepEvent>> EventsAsync(string sweepId)
    {
        await using var journal = await JournalReader.OpenAsync(JournalDatabase.Postgres(Postgres));
        return (await journal.EventsAsync(sweepId)).Select(e => e.Event).ToList();
    }

    public string Logs() => string.Join("\n", _processes.Select(p =>
        $"----- {p.Name} (pid {p.Pid}{(p.HasExited ? $", exited {p.ExitCode}" : "")}) -----\n{Tail(p.Output, 6000)}"));

    static string Tail(string text, int chars) => text.Length <= chars ? text : "..." + text[^chars..];

    public void Dispose()
    {
        foreach (var p in _processes) p.Dispose();
    }
}
