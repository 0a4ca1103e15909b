using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ActorSweep.Seed.Dashboard;

/// <summary>
/// The sweep dashboard: static files embedded in this assembly (no build chain, nothing from a
/// CDN), one page per URL: <c>/</c> (sweeps), <c>/sweeps/{id}</c> (a sweep's runs, charts,
/// ladder and lineage, updated live from <c>/api/sweeps/{id}/events</c>) and
/// <c>/sweeps/{id}/runs/{run}</c> (a run's curves). Every response forbids inline scripts and
/// other origins. It reads the API like any client; cancelling sends the token the API asks for.
/// </summary>
public static class DashboardEndpoints
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    const string Prefix = "ActorSweep.Seed.Dashboard.wwwroot.";

    static readonly Dictionary<string, string> ContentTypes = new()
    {
        [".html"] = "text/html; charset=utf-8", [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8", [".svg"] = "image/svg+xml", [".txt"] = "text/plain; charset=utf-8",
    };

    /// <summary>The embedded files by their path under wwwroot ("app.js", "vendor/uPlot.iife.min.js").</summary>
    static readonly Lazy<Dictionary<string, byte[]>> Files = new(() =>
    {
        var assembly = typeof(DashboardEndpoints).Assembly;
        return assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .ToDictionary(n => n[Prefix.Length..], n => Read(assembly, n));
    });

    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.MapGet("/", Page);
        app.MapGet("/sweeps/{id}", Page);
        app.MapGet("/sweeps/{id}/runs/{run}", Page);
        app.MapGet("/assets/{*path}", (string path, HttpContext context) => Asset(path, context));
        return app;
    }

    static IResult Page(HttpContext context) => Serve("index.html", context);

    static IResult Asset(string path, HttpContext context) =>
        path.Contains("..") || path.Contains('\\') ? Results.NotFound() : Serve(path.Replace('/', '.'), context);

    static IResult Serve(string name, HttpContext context)
    {
        if (!Files.Value.TryGetValue(name, out var bytes)) return Results.NotFound();
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        string type = ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream");
        return Results.Bytes(bytes, type);
    }

    static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
