using ActorSweep.Hosting.Clustering;
using System.CommandLine;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Api;
using ActorSweep.Seed.Persistence;
using Spectre.Console;

namespace ActorSweep.Seed.Cli;

/// <summary>Where `status` and `results` read sweeps: straight from a journal, or from a seed host's API (with live progress).</summary>
public interface ISweepSource
{
    Task<IReadOnlyList<SweepSummary>> SummariesAsync(CancellationToken cancel);
    /// <summary>The sweep's state (null State when unknown) and, from the API, its running runs' live progress.</summary>
    Task<SweepStateReply> StateAsync(string sweepId, CancellationToken cancel);
    Task<string> UnknownAsync(string sweepId, CancellationToken cancel);
}

sealed class JournalSweepSource(JournalReader journal) : ISweepSource
{
    public async Task<IReadOnlyList<SweepSummary>> SummariesAsync(CancellationToken cancel)
    {
        var summaries = new List<SweepSummary>();
        foreach (var id in await journal.SweepIdsAsync(cancel))
            if (await journal.SummaryAsync(id, cancel) is { } summary) summaries.Add(summary);
        return summaries;
    }

    public async Task<SweepStateReply> StateAsync(string sweepId, CancellationToken cancel) =>
        new(sweepId, await journal.StateAsync(sweepId, cancel: cancel));

    public Task<string> UnknownAsync(string sweepId, CancellationToken cancel) => InspectCommands.UnknownSweep(journal, sweepId);
}

sealed class ApiSweepSource(ApiClient api) : ISweepSource
{
    public async Task<IReadOnlyList<SweepSummary>> SummariesAsync(CancellationToken cancel) => (await api.ListAsync(cancel)).Sweeps;

    public async Task<SweepStateReply> StateAsync(string sweepId, CancellationToken cancel)
    {
        try { return await api.StateAsync(sweepId, cancel); }
        catch (ApiException e) when (e.Status == System.Net.HttpStatusCode.NotFound) { return new SweepStateReply(sweepId, null); }
    }

    public async Task<string> UnknownAsync(string sweepId, CancellationToken cancel)
    {
        var known = (await api.ListAsync(cancel)).Sweeps.Select(s => s.SweepId).ToList();
        return $"no sweep named '{sweepId}'" + (known.Count > 0 ? $"; known sweeps: {string.Join(", ", known)}" : "; the cluster has none");
    }
}

/// <summary>The options that pick a source: --api URL, or --db FILE / --postgres CONNECTION.</summary>
public sealed class SweepSourceOptions
{
    readonly Option<string?> _db = CliOptions.Database();
    readonly SecretOption _postgres = CliOptions.Postgres();
    readonly Option<string?> _api = CliOptions.Api();

    public void AddTo(Command command)
    {
        command.Add(_db);
        foreach (var option in _postgres.All) command.Add(option);
        command.Add(_api);
    }

    public async Task<int> RunAsync(ParseResult parse, Func<ISweepSource, IAnsiConsole, Task<int>> action)
    {
        var error = parse.InvocationConfiguration.Error;
        var console = Terminal.For(parse.InvocationConfiguration.Output);
        if (parse.GetValue(_api) is { } url)
        {
            ApiClient api;
            try { api = ApiClient.Create(url, null); }
            catch (ArgumentException e) { return Terminal.UsageError(error, e.Message); }
            using (api)
            {
                try { return await action(new ApiSweepSource(api), console); }
                catch (ApiException e)
                {
                    error.WriteLine($"error: {e.Message}");
                    return ExitCodes.Failed;
                }
            }
        }
        return await InspectCommands.WithJournal(parse, _db, _postgres, (journal, c) => action(new JournalSweepSource(journal), c));
    }
}
