using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using ActorSweep.Hosting.Clustering;
using ActorSweep.Messages.Results;
using ActorSweep.Messages.Runs;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Messages.Work;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Reports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace ActorSweep.Seed.Api;

/// <summary>
/// What the dashboard reads, all from the supervisor's state (never the journal):
/// <code>
/// GET /api/sweeps/{id}/runs                 every run as a row: status, steps, results, attempts, node, error, times
/// GET /api/sweeps/{id}/runs/{run}/history   a run's curve: a point per accepted checkpoint, and a finished run's full curves
/// GET /api/sweeps/{id}/events               server-sent events: summary, progress, changed, finished (pushed by the sweep's actor)
/// </code>
/// </summary>
public static class SweepLiveApi
{
    /// <summary>A run as the dashboard's table shows it.</summary>
    public sealed record RunRow(string RunId, string Name, long Seed, string Status, long? Params, long Steps, long TotalSteps,
                                double? ValidationExactMatch, double? ExactMatch, double? Loss, int Attempts, int Failures, string? Node,
                                string? Error, int? Rung, bool AtTarget, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
                                IReadOnlyDictionary<string, string> Options);

    /// <summary>A run's curves: <see cref="Points"/> from the journal (a point per accepted checkpoint, through failovers and restarts);
    /// a completed run's report adds its full curves (the training loss every log_every steps) and per-digit accuracy.</summary>
    public sealed record RunHistory(string RunId, string Status, long TotalSteps, IReadOnlyList<HistoryPoint> Points,
                                    IReadOnlyList<CurvePoint>? LossCurve, IReadOnlyList<CurvePoint>? ValidationCurve, double[]? PerDigitAccuracy);

    static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);
    /// <summary>The API's snake_case, on one line: an event's data may not hold a line break.</summary>
    static readonly JsonSerializerOptions EventJson = new(ReportJson.Options) { WriteIndented = false };

    public static WebApplication MapSweepLiveApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/sweeps");
        api.MapGet("/{id}/runs", Runs);
        api.MapGet("/{id}/runs/{run}/history", History);
        api.MapGet("/{id}/events", Events);
        return app;
    }

    public static IReadOnlyList<RunRow> Rows(SweepState state, IReadOnlyList<RunProgress>? live = null)
    {
        var progress = (live ?? []).ToDictionary(p => p.RunId);
        var results = SweepReport.Results(state).ToDictionary(r => r.RunId);
        return state.OrderedRuns.Select(r =>
        {
            var result = results[r.Spec.RunId];
            long steps = r.Status == RunStatus.Running && progress.TryGetValue(r.Spec.RunId, out var p) ? Math.Max(p.Step, r.StepsDone) : r.StepsDone;
            return new RunRow(r.Spec.RunId, r.Spec.Name, r.Spec.Seed, result.Status, result.Params, steps, r.Spec.Definition.TotalSteps,
                result.ValidationExactMatch, result.ExactMatch, result.FinalLoss, r.Attempt, r.Failures, r.NodeId, r.LastError, result.Rung,
                r.AtTarget, r.StartedAt, r.FinishedAt, r.Spec.Options);
        }).ToList();
    }

    public static RunHistory? HistoryOf(SweepState state, string runId) =>
        state.Runs.TryGetValue(runId, out var r)
            ? new RunHistory(runId, r.Status.ToString().ToLowerInvariant(), r.Spec.Definition.TotalSteps, r.History ?? [],
                             r.Report?.LossCurve, r.Report?.ValidationCurve, r.Report?.PerDigitAccuracy)
            : null;

    static async Task<IResult> Runs(string id, ActorRegistry registry, CancellationToken cancel)
    {
        if (await SweepApi.StateReply(id, registry, cancel) is not { State: { } state } reply) return SweepApi.UnknownSweep(id);
        return Results.Json(Rows(state, reply.Live), ReportJson.Options);
    }

    static async Task<IResult> History(string id, string run, ActorRegistry registry, CancellationToken cancel)
    {
        if (await SweepApi.StateReply(id, registry, cancel) is not { State: { } state }) return SweepApi.UnknownSweep(id);
        return HistoryOf(state, run) is { } history
            ? Results.Json(history, ReportJson.Options)
            : SweepApi.Error(404, $"sweep '{id}' has no run '{run}'");
    }

    /// <summary>
    /// Server-sent events for one sweep: the sweep's actor pushes every change and every run's
    /// progress to a watcher, which this request writes out until the client goes (or the host
    /// stops: a browser reconnects to another seed, or finds this one gone). A comment
    /// every 15 s keeps proxies from closing an idle stream.
    /// </summary>
    static async Task Events(string id, HttpContext context, ActorRegistry registry, ActorSystem system, IHostApplicationLifetime lifetime)
    {
        // A stream ends when its client goes or the host stops (else shutdown would wait for every open browser).
        using var ends = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var cancel = ends.Token;
        if (await SweepApi.StateReply(id, registry, cancel) is not { State: not null })
        {
            await SweepApi.UnknownSweep(id).ExecuteAsync(context);
            return;
        }
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        using var watch = new SweepClient(system, registry.Get<SweepSupervisorProxy>()).Subscribe(id);
        await response.WriteAsync(": watching " + id + "\n\n", cancel);
        await response.Body.FlushAsync(cancel);
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                wait.CancelAfter(Heartbeat);
                object message;
                try { message = await watch.Reader.ReadAsync(wait.Token); }
                catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                {
                    await response.WriteAsync(": heartbeat\n\n", cancel);
                    await response.Body.FlushAsync(cancel);
                    continue;
                }
                var (name, data) = message switch
                {
                    SweepStateReply { State: { } s } => ("summary", (object)s.Summary()),
                    RunProgress p => ("progress", new { p.RunId, p.Step, p.TotalSteps, p.Loss, p.ValidationExactMatch, Node = p.NodeId }),
                    SweepChanged c => ("changed", new { c.RunId, c.Summary }),
                    SweepFinished f => ("finished", f.Summary),
                    _ => (null, null),
                };
                if (name is null) continue;
                await response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(data, EventJson)}\n\n", cancel);
                await response.Body.FlushAsync(cancel);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested) { } // the client went
    }
}
