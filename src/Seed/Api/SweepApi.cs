using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Hosting;
using ActorSweep.Hosting.Clustering;
using ActorSweep.Messages;
using ActorSweep.Messages.Results;
using ActorSweep.Messages.Serialization;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Reports;
using ActorSweep.Seed.Sweeps;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ActorSweep.Seed.Api;

/// <summary>
/// The seed host's HTTP API, talking to the supervisor singleton through its proxy. Bodies and
/// answers are JSON in the message contracts' own shape (the command line reads them back into
/// the same records). Mutating endpoints require "Authorization: Bearer TOKEN" when a token is set.
/// <code>
/// POST /api/sweeps                 body: a sweep file (YAML) -> 201 new, 200 resumed, 400 invalid, 409 name taken
/// GET  /api/sweeps                 every sweep's summary
/// GET  /api/sweeps/{id}            state and live progress (404 unknown)
/// GET  /api/sweeps/{id}/results    the results table as JSON
/// POST /api/sweeps/{id}/cancel     stop handing out its runs; running ones are handed back
/// GET  /api/sweeps/{id}/ladder     a scheduler's rung ladder
/// GET  /api/sweeps/{id}/lineage    PBT's exploits: who copied whom at which step, options before and after
/// POST /api/sweeps/{id}/runs/{run}/promote   a paused or pruned run trains on to its next rung
/// </code>
/// </summary>
public static class SweepApi
{
    public const long MaxSweepFileBytes = 4 * 1024 * 1024;
    static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    public static WebApplication MapSweepApi(this WebApplication app, string? token)
    {
        var api = app.MapGroup("/api/sweeps");
        api.MapPost("", Submit).AddEndpointFilter(RequireToken(token));
        api.MapGet("", List);
        api.MapGet("/{id}", Get);
        api.MapGet("/{id}/results", ResultsOf);
        api.MapGet("/{id}/lineage", LineageOf);
        api.MapGet("/{id}/ladder", LadderOf);
        api.MapPost("/{id}/cancel", Cancel).AddEndpointFilter(RequireToken(token));
        api.MapPost("/{id}/runs/{run}/promote", Promote).AddEndpointFilter(RequireToken(token));
        return app;
    }

    static async Task<IResult> Submit(HttpRequest request, ActorRegistry registry, CancellationToken cancel)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxSweepFileBytes;
        string yaml;
        try
        {
            using var reader = new StreamReader(request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true));
            yaml = await reader.ReadToEndAsync(cancel);
        }
        catch (DecoderFallbackException) { return Error(400, "the body is not UTF-8 text; send the sweep file (YAML) as the body"); }
        catch (BadHttpRequestException e) when (e.StatusCode == 413) { return Error(413, $"a sweep file may be at most {MaxSweepFileBytes:N0} bytes"); }
        if (string.IsNullOrWhiteSpace(yaml)) return Error(400, "empty body: send the sweep file (YAML) as the body");

        SweepDefinition definition;
        try { definition = SweepFile.Parse(yaml, request.Query["source"] is { Count: > 0 } s ? s.ToString() : "request"); }
        catch (SweepFileException e) { return Error(400, e.Message); }

        var reply = await Supervisor(registry).Ask<ISweepReply>(new SubmitSweep(definition), AskTimeout, cancel);
        return reply switch
        {
            SweepAccepted { Resumed: false } a => Results.Json(a, SweepMessageSerializer.Json, statusCode: 201),
            SweepAccepted a => Results.Json(a, SweepMessageSerializer.Json),
            SweepRejected r => Error(409, r.Reason),
            _ => Error(500, $"unexpected answer {reply.GetType().Name}"),
        };
    }

    static async Task<IResult> List(ActorRegistry registry, CancellationToken cancel) =>
        Results.Json(await Supervisor(registry).Ask<SweepList>(new ListSweeps(), AskTimeout, cancel), SweepMessageSerializer.Json);

    static async Task<IResult> Get(string id, ActorRegistry registry, CancellationToken cancel)
    {
        if (await StateReply(id, registry, cancel) is not { } reply) return UnknownSweep(id);
        return Results.Json(reply, SweepMessageSerializer.Json);
    }

    static async Task<IResult> ResultsOf(string id, ActorRegistry registry, CancellationToken cancel)
    {
        if (await StateReply(id, registry, cancel) is not { State: { } state }) return UnknownSweep(id);
        // Result rows are snake_case everywhere: here, `results --json` and results.json.
        return Results.Json(SweepReport.Results(state), ReportJson.Options);
    }

    /// <summary>PBT's lineage (empty without exploits), in the order they happened.</summary>
    static async Task<IResult> LineageOf(string id, ActorRegistry registry, CancellationToken cancel)
    {
        if (await StateReply(id, registry, cancel) is not { State: { } state }) return UnknownSweep(id);
        return Results.Json(SweepReport.Lineage(state), ReportJson.Options);
    }

    /// <summary>A scheduler's rung ladder (empty without one): per rung, runs that reached it, went on, wait or were pruned, and the cut-off.</summary>
    static async Task<IResult> LadderOf(string id, ActorRegistry registry, CancellationToken cancel)
    {
        if (await StateReply(id, registry, cancel) is not { State: { } state }) return UnknownSweep(id);
        return Results.Json(ActorSweep.Seed.Supervisor.SchedulerDecisions.Ladder(state), ReportJson.Options);
    }

    static async Task<IResult> Cancel(string id, HttpRequest request, ActorRegistry registry, CancellationToken cancel)
    {
        if (!ValidId(id)) return UnknownSweep(id);
        string reason = request.Query["reason"] is { Count: > 0 } r ? r.ToString() : "cancelled through the API";
        var reply = await Supervisor(registry).Ask<ISweepReply>(new CancelSweep(id, reason), AskTimeout, cancel);
        return reply switch
        {
            SweepStateReply { State: { } state } => Results.Json(state.Summary(), SweepMessageSerializer.Json),
            SweepRejected rejected => Error(404, rejected.Reason),
            _ => Error(500, $"unexpected answer {reply.GetType().Name}"),
        };
    }

    static async Task<IResult> Promote(string id, string run, ActorRegistry registry, CancellationToken cancel)
    {
        if (!ValidId(id)) return UnknownSweep(id);
        var reply = await Supervisor(registry).Ask<ISweepReply>(new PromoteRun(id, run), AskTimeout, cancel);
        return reply switch
        {
            SweepStateReply { State: { } state } => Results.Json(state.Summary(), SweepMessageSerializer.Json),
            SweepRejected rejected when rejected.Reason.StartsWith("no sweep named") || rejected.Reason.Contains(" has no run ") => Error(404, rejected.Reason),
            SweepRejected rejected => Error(409, rejected.Reason),
            _ => Error(500, $"unexpected answer {reply.GetType().Name}"),
        };
    }

    /// <summary>A sweep's state and its running runs' live progress, or null for an unknown (or invalid) id.</summary>
    internal static async Task<SweepStateReply?> StateReply(string id, ActorRegistry registry, CancellationToken cancel)
    {
        if (!ValidId(id)) return null;
        var reply = await Supervisor(registry).Ask<SweepStateReply>(new GetSweepState(id), AskTimeout, cancel);
        return reply.State is null ? null : reply;
    }

    static bool ValidId(string id) => SweepId.IsValid(id);

    static IActorRef Supervisor(ActorRegistry registry) => registry.Get<SweepSupervisorProxy>();

    internal static IResult UnknownSweep(string id) => Error(404, $"no sweep named '{id}'");

    public static IResult Error(int status, string message) => Microsoft.AspNetCore.Http.Results.Json(new { error = message }, statusCode: status);

    /// <summary>
    /// With a token set, a request must carry it as a bearer token, compared in constant time: as
    /// SHA-256 digests, so neither the token's bytes nor its length shape the time a guess takes.
    /// </summary>
    static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> RequireToken(string? token) =>
        async (context, next) =>
        {
            if (string.IsNullOrEmpty(token)) return await next(context);
            string header = context.HttpContext.Request.Headers.Authorization.ToString();
            bool ok = header.StartsWith("Bearer ", StringComparison.Ordinal)
                      && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim())), SHA256.HashData(Encoding.UTF8.GetBytes(token)));
            if (ok) return await next(context);
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Error(401, header.Length == 0 ? "this endpoint needs 'Authorization: Bearer TOKEN'" : "the bearer token is wrong");
        };
}
