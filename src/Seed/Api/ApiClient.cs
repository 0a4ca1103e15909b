using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ActorSweep.Hosting.Web;
using ActorSweep.Messages.Serialization;
using ActorSweep.Messages.Sweeps;

namespace ActorSweep.Seed.Api;

/// <summary>An answer of the API that is not a success: its status and the server's reason.</summary>
public sealed class ApiException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
}

/// <summary>The command line's side of <see cref="SweepApi"/>: `submit`, `cancel`, and `status`/`results` with --api.</summary>
public sealed class ApiClient(Uri baseUri, string? token = null) : IDisposable
{
    readonly HttpClient _http = new() { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(60) };

    public static ApiClient Create(string url, string? token)
    {
        if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new ArgumentException($"--api '{url}' is not an http(s) URL like http://127.0.0.1:8080");
        return new ApiClient(uri, token);
    }

    public async Task<(SweepAccepted Accepted, bool Created)> SubmitAsync(string yaml, string source, CancellationToken cancel = default)
    {
        using var request = Request(HttpMethod.Post, $"api/sweeps?source={Uri.EscapeDataString(source)}");
        request.Content = new StringContent(yaml, Encoding.UTF8, "application/yaml");
        using var response = await SendAsync(request, cancel);
        return (await Read<SweepAccepted>(response, cancel), response.StatusCode == HttpStatusCode.Created);
    }

    public async Task<SweepList> ListAsync(CancellationToken cancel = default)
    {
        using var response = await SendAsync(Request(HttpMethod.Get, "api/sweeps"), cancel);
        return await Read<SweepList>(response, cancel);
    }

    public async Task<SweepStateReply> StateAsync(string sweepId, CancellationToken cancel = default)
    {
        using var response = await SendAsync(Request(HttpMethod.Get, $"api/sweeps/{Uri.EscapeDataString(sweepId)}"), cancel);
        return await Read<SweepStateReply>(response, cancel);
    }

    public async Task<SweepSummary> PromoteAsync(string sweepId, string runId, CancellationToken cancel = default)
    {
        using var response = await SendAsync(Request(HttpMethod.Post, $"api/sweeps/{Uri.EscapeDataString(sweepId)}/runs/{Uri.EscapeDataString(runId)}/promote"), cancel);
        return await Read<SweepSummary>(response, cancel);
    }

    public async Task<SweepSummary> CancelAsync(string sweepId, string reason, CancellationToken cancel = default)
    {
        using var response = await SendAsync(Request(HttpMethod.Post, $"api/sweeps/{Uri.EscapeDataString(sweepId)}/cancel?reason={Uri.EscapeDataString(reason)}"), cancel);
        return await Read<SweepSummary>(response, cancel);
    }

    /// <summary>
    /// The cluster as this node sees it, from its liveness probe: how many members are Up and how
    /// many unreachable. Null while the node itself is not yet Up (the probe answers 503 then).
    /// Before a node is stopped on purpose, wait until all count: the split-brain resolver counts
    /// only Up members, and a survivor still seen as Joining can leave the rest a losing tie.
    /// </summary>
    public async Task<(int Up, int Unreachable)?> MembershipAsync(CancellationToken cancel = default)
    {
        using var response = await SendAsync(Request(HttpMethod.Get, OpsEndpoints.LivenessPath.TrimStart('/')), cancel);
        if (!response.IsSuccessStatusCode) return null;
        using var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancel));
        var data = health.RootElement.GetProperty("checks").GetProperty(OpsEndpoints.ClusterCheck).GetProperty("data");
        return (data.GetProperty("members").GetInt32(), data.GetProperty("unreachable").GetInt32());
    }

    HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        if (!string.IsNullOrEmpty(token)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancel)
    {
        try { return await _http.SendAsync(request, cancel); }
        catch (HttpRequestException e) { throw new ApiException(0, $"cannot reach the API at {_http.BaseAddress}: {e.Message}"); }
        finally { request.Dispose(); }
    }

    static async Task<T> Read<T>(HttpResponseMessage response, CancellationToken cancel)
    {
        if (!response.IsSuccessStatusCode)
        {
            string body = await response.Content.ReadAsStringAsync(cancel);
            string reason;
            try { reason = JsonDocument.Parse(body).RootElement.GetProperty("error").GetString() ?? body; }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException) { reason = body.Length > 0 ? body : response.ReasonPhrase ?? ""; }
            throw new ApiException(response.StatusCode, $"{(int)response.StatusCode} {response.StatusCode}: {reason}");
        }
        return await response.Content.ReadFromJsonAsync<T>(SweepMessageSerializer.Json, cancel)
               ?? throw new ApiException(response.StatusCode, "the API answered with an empty body");
    }

    public void Dispose() => _http.Dispose();
}
